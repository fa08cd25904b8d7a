using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Hosting;

/// <summary>
/// Turns exceptions into problem responses. Malformed input (bad JSON, a body over the size limit, a wrong content type)
/// is the caller's to fix and gets a 4xx that says how; only our own faults are 500, logged with a trace id.
/// </summary>
public sealed class ApiExceptionHandler(
    IProblemDetailsService problems, IOptions<HubOptions> options, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException { StatusCode: 413 } =>
                (413, "Content too large", TooLargeDetail(options.Value.MaxUploadBytes)),
            BadHttpRequestException { InnerException: JsonException json } =>
                (400, "Malformed JSON", $"The request body is not valid JSON for this endpoint: {Describe(json)}"),
            BadHttpRequestException { StatusCode: 415 } =>
                (415, "Unsupported media type", "Send the request body as application/json."),
            BadHttpRequestException bad when bad.Message.Contains("no body was provided", StringComparison.OrdinalIgnoreCase) =>
                (400, "Missing body", "This endpoint needs a JSON body."),
            BadHttpRequestException bad => (bad.StatusCode, "Bad request", bad.Message),
            TimeoutException =>
                (503, "Service unavailable", "The hub could not finish in time (for example, rendering a document). Try again in a moment."),
            DbUpdateConcurrencyException =>
                (409, "Conflict", "The resource changed while this request was being processed. Fetch it again and retry."),
            OperationCanceledException when http.RequestAborted.IsCancellationRequested => (499, "Client closed request", ""),
            _ => (500, "Internal server error", "Something went wrong on our side. Quote the trace id when you report it."),
        };
        if (status == 499) return true;
        if (status >= 500) logger.LogError(exception, "Unhandled error on {Method} {Path}", http.Request.Method, SigningUrlRedaction.Redact(http.Request.Path.Value ?? ""));

        http.Response.StatusCode = status;
        if (status == 503) http.Response.Headers.RetryAfter = "5";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    /// <summary>Names both limits: the one the caller chose to configure, and the body size it allows.</summary>
    public static string TooLargeDetail(long maxUploadBytes) =>
        $"The request body is larger than the {RequestBodyLimitMiddleware.MaxBodyBytes(maxUploadBytes):N0} bytes this hub reads; " +
        $"a PDF may be at most {maxUploadBytes:N0} bytes ({maxUploadBytes / (1024 * 1024.0):0.#} MB, Hub:MaxUploadBytes). Compress it or split it.";

    /// <summary>System.Text.Json's message names .NET types; keep the part that says where the body is wrong.</summary>
    private static string Describe(JsonException json)
    {
        var where = json.Path is { Length: > 0 } path ? $"at {path}" : "";
        var line = json.LineNumber is { } l ? $" (line {l + 1}, byte {json.BytePositionInLine + 1})" : "";
        var what = json.Message.Contains("could not be converted", StringComparison.Ordinal)
            ? "a value has the wrong type"
            : json.Message.Split(" Path:")[0].Split(". LineNumber")[0];
        return $"{what} {where}{line}.".Replace("  ", " ", StringComparison.Ordinal);
    }
}
