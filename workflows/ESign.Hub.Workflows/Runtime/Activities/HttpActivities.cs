using System.Net;
using ESign.Hub.Workflows.Definitions;
using ESign.Hub.Workflows.Expressions;

namespace ESign.Hub.Workflows.Runtime.Activities;

/// <summary>
/// Elsa.HttpEndpoint: as a trigger, a request to <c>/workflows/http/{path}</c> starts the workflow (the path may hold route
/// parameters, <c>users/{userId}</c>); reached inside a flowchart, the instance waits for a request to that path. Elsa's
/// outputs: <c>parsedContent</c> (a JSON body as data, a form as a dictionary, other text as a string), <c>routeData</c>,
/// <c>queryStringData</c>, <c>headers</c>; and the hub's <c>result</c> (the same as parsedContent), <c>method</c>,
/// <c>path</c>, <c>query</c>.
/// </summary>
public sealed class HttpEndpointActivity : WorkflowActivity
{
    /// <summary>The bookmark a waiting Elsa.HttpEndpoint holds, keyed by its normalized path.</summary>
    public const string BookmarkName = "http";

    public override ActivityDescriptor Descriptor { get; } = new("Elsa.HttpEndpoint", "HTTP", "HTTP Endpoint",
        "As a trigger, a request to /workflows/http/{path} starts the workflow; inside a flowchart, waits for such a request.")
    {
        Inputs =
        [
            new("path", "String", "The path under /workflows/http/.") { Required = true },
            new("supportedMethods", "String[]", "The methods accepted; GET when none are given.")
            {
                UiHint = InputUiHint.Json, Default = new List<object?> { "GET" },
            },
        ],
        Outputs =
        [
            new("parsedContent", "Object", "The body parsed by its content type: JSON as data, a form as a dictionary, other text as a string."),
            new("routeData", "Object", "The values of the path's route parameters ('users/{userId}')."),
            new("queryStringData", "Object", "The query string's values."),
            new("result", "Object", "The parsed JSON body, or the text."),
            new("method", "String", "The request's method."),
            new("path", "String", "The normalized path."),
            new("query", "Object", "The query string's values."),
            new("headers", "Object", "The request's headers (credentials left out)."),
        ],
        IsTrigger = true,
        Trigger = new(ActivityTrigger.Http, "path"),
        WaitsFor = BookmarkName,
        Note = "trigger at /workflows/http/{path}",
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        if (context.TriggerData is { } request)
        {
            Output(context, request);
            return ValueTask.FromResult(ActivityResult.Done);
        }
        var path = HttpPaths.Normalize(context.RequireString("path"));
        return ValueTask.FromResult(ActivityResult.Wait(context.NewBookmark(BookmarkName, path)));
    }

    public override ValueTask<ActivityResult> ResumeAsync(ActivityContext context, Bookmark bookmark, IReadOnlyDictionary<string, object?> payload)
    {
        // A new request: the response written for an earlier one is not its answer.
        context.State.HttpResponse = null;
        Output(context, payload);
        return ValueTask.FromResult(ActivityResult.Done);
    }

    private static readonly string[] Outputs = ["parsedContent", "routeData", "queryStringData", "headers", "result", "method", "path", "query"];

    private static void Output(ActivityContext context, IReadOnlyDictionary<string, object?> request)
    {
        foreach (var name in Outputs)
        {
            // Requests recorded before Elsa's names were added carry only result and query.
            var value = request.TryGetValue(name, out var given) ? given : name switch
            {
                "parsedContent" => request.GetValueOrDefault("result"),
                "queryStringData" => request.GetValueOrDefault("query"),
                "routeData" => new Dictionary<string, object?>(),
                _ => null,
            };
            context.SetOutput(name, value);
        }
    }
}

/// <summary>
/// Elsa.WriteHttpResponse: the answer to the request that started or resumed this run (<c>statusCode</c>, <c>content</c>,
/// <c>contentType</c>, <c>responseHeaders</c>). Without such a request it is recorded and has no other effect.
/// </summary>
public sealed class WriteHttpResponseActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.WriteHttpResponse", "HTTP", "HTTP Response",
        "Answers the request that started or resumed this run.")
    {
        Inputs =
        [
            new("statusCode", "HttpStatusCode", "A status such as 200 or \"Accepted\".") { Default = 200 },
            new("content", "Object", "The body: text as is, anything else as JSON.") { UiHint = InputUiHint.MultiLine },
            new("contentType", "String", "The media type; text/plain for text, application/json otherwise."),
            new("responseHeaders", "Object", "Caching, download and X- headers to send.") { UiHint = InputUiHint.Json },
        ],
        Outputs = [new("statusCode", "Int32", "The status sent.")],
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var status = StatusCode(context.Evaluate("statusCode"));
        var content = context.Evaluate("content");
        var text = content switch
        {
            null => null,
            string s => s,
            var other => System.Text.Json.JsonSerializer.Serialize(other, StateJson.Options),
        };
        var contentType = context.GetString("contentType") is { Length: > 0 } given ? given
            : content is string ? "text/plain; charset=utf-8" : "application/json";
        var headers = context.Evaluate("responseHeaders") is Dictionary<string, object?> map
            ? map.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture)!)
            : null;
        context.State.HttpResponse = new HttpResponseSpec(status, text, contentType, headers);
        context.SetOutput("statusCode", status);
        return ValueTask.FromResult(ActivityResult.Done);
    }

    // Elsa writes the status as a name ("Accepted"), a number, or a numeric string.
    private static int StatusCode(object? value) => value switch
    {
        null => 200,
        long l when l is >= 100 and <= 599 => (int)l,
        double d when d is >= 100 and <= 599 => (int)d,
        string s when int.TryParse(s, out var n) && n is >= 100 and <= 599 => n,
        string s when Enum.TryParse<HttpStatusCode>(s, ignoreCase: true, out var code) => (int)code,
        _ => throw new ActivityFailure($"'statusCode' must be an HTTP status such as 200 or \"Accepted\" (got {PlainValues.Normalize(value)})."),
    };
}

public static class HttpPaths
{
    /// <summary>
    /// "/Orders/" and "orders" are the same endpoint: lower case, no leading or trailing slash. Route parameter segments
    /// (<c>{userId}</c>) keep their case, as their names are the keys of <c>routeData</c>.
    /// </summary>
    public static string Normalize(string path)
    {
        var trimmed = path.Trim().Trim('/');
        if (!trimmed.Contains('{', StringComparison.Ordinal)) return trimmed.ToLowerInvariant();
        return string.Join('/', trimmed.Split('/').Select(s => s.StartsWith('{') ? s : s.ToLowerInvariant()));
    }

    /// <summary>True for a path with route parameters, which is matched as a template rather than compared.</summary>
    public static bool IsTemplate(string normalized) => normalized.Contains('{', StringComparison.Ordinal);

    /// <summary>A template with its parameter names blanked: <c>users/{id}</c> and <c>users/{userId}</c> answer the same URLs.</summary>
    public static string Shape(string normalized) =>
        string.Join('/', normalized.Split('/').Select(s => s.StartsWith('{') ? "{}" : s));
}
