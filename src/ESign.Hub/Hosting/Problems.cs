using Microsoft.AspNetCore.Http.HttpResults;

namespace ESign.Hub.Hosting;

/// <summary>RFC 9457 problem responses with a <c>detail</c> a person can act on.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string what, string id) =>
        TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"No {what} with id '{id}' exists in this account.");

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: 409, title: "Conflict", detail: detail);

    public static ProblemHttpResult Unprocessable(string detail) =>
        TypedResults.Problem(statusCode: 422, title: "Unprocessable content", detail: detail);

    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: 400, title: "Bad request", detail: detail);

    public static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(statusCode: 413, title: "Content too large", detail: detail);

    /// <summary>A 422 listing every invalid member (JSON path → messages) so a caller can fix them all at once.</summary>
    public static ProblemHttpResult Invalid(ValidationErrors errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors.ToDictionary())
        {
            Status = 422, Title = "The request is invalid", Detail = errors.Summary(),
        });
}

public static class ProblemMetadata
{
    /// <summary>Declares problem responses in OpenAPI; ProblemHttpResult in a Results union does not say which codes occur.</summary>
    public static TBuilder ProducesProblems<TBuilder>(this TBuilder endpoint, params int[] statusCodes) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statusCodes) endpoint.ProducesProblem(status);
        return endpoint;
    }

    /// <summary>What any authenticated /v1 call can answer: 401 (credential), 403 (scope), 429 (rate limit).</summary>
    public static TBuilder ProducesAuthProblems<TBuilder>(this TBuilder endpoint) where TBuilder : IEndpointConventionBuilder =>
        endpoint.ProducesProblems(401, 403, 429);
}

/// <summary>Collects validation messages by JSON path, e.g. <c>signers[1].email</c>.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string path, string message)
    {
        if (!_errors.TryGetValue(path, out var list)) _errors[path] = list = [];
        list.Add(message);
    }

    public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    public string Summary()
    {
        var first = _errors.First();
        var more = _errors.Sum(e => e.Value.Count) - 1;
        return $"{first.Key}: {first.Value[0]}" + (more > 0 ? $" (and {more} more problem{(more == 1 ? "" : "s")}, see errors)" : "");
    }
}
