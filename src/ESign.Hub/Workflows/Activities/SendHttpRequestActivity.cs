using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ESign.Hub.Webhooks;
using ESign.Hub.Workflows.Definitions;
using ESign.Hub.Workflows.Runtime;

namespace ESign.Hub.Workflows.Activities;

/// <summary>
/// Elsa.FlowSendHttpRequest: sends <c>method</c> <c>url</c> with <c>content</c>, <c>contentType</c> and
/// <c>requestHeaders</c>, and continues through the outcome named by the response's status code when it is one of
/// <c>expectedStatusCodes</c>, else "Unmatched status code" (Done when no status codes are expected, as in Elsa). Connection failures, timeouts and 5xx/429 answers that are
/// not expected are retried with the activity's retry policy (4 attempts by default); after the last attempt the run
/// continues through "Failed to connect" or "Timeout" if connected, else it faults. Outputs <c>statusCode</c>,
/// <c>parsedContent</c> (parsed JSON or text, up to 1 MB; also as <c>responseContent</c>) and <c>responseHeaders</c>.
/// The URL passes the same SSRF guard as webhooks: public https hosts in live mode, plus loopback in test mode.
/// </summary>
public sealed class SendHttpRequestActivity : WorkflowActivity, IDisposable
{
    public const int MaxResponseBytes = 1024 * 1024;
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _live = new(OutboundUrlGuard.CreateHandler(allowLoopback: false)) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    private readonly HttpClient _test = new(OutboundUrlGuard.CreateHandler(allowLoopback: true)) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

    // Outcomes Elsa's FlowSendHttpRequest adds after one per expected status code.
    public static readonly IReadOnlyList<string> FailureOutcomes = ["Unmatched status code", "Failed to connect", "Timeout"];

    public override ActivityDescriptor Descriptor { get; } = new("Elsa.FlowSendHttpRequest", "HTTP", "HTTP Request (flow)",
        "Sends an HTTP request and continues through the outcome named by the response's status code.")
    {
        Inputs =
        [
            new("url", "String", "The URL (https; loopback in test mode when allowed).") { Required = true },
            new("method", "String", "The method.")
            {
                UiHint = InputUiHint.Dropdown, Options = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"], Default = "GET",
            },
            new("content", "Object", "The body: text as is, anything else as JSON.") { UiHint = InputUiHint.MultiLine },
            new("contentType", "String", "The body's media type."),
            new("requestHeaders", "Object", "Headers to send.") { UiHint = InputUiHint.Json },
            new("expectedStatusCodes", "Int32[]", "The status codes with their own outcome port.") { UiHint = InputUiHint.Json },
        ],
        Outputs =
        [
            new("statusCode", "Int32", "The response's status."),
            new("responseContent", "Object", "The parsed JSON or text, up to 1 MB."),
            new("responseHeaders", "Object", "The response's headers."),
        ],
        Outcomes = ActivityOutcomes.Computed(["expectedStatusCodes"], "one outcome per expected status code, or Done when none is expected",
            Outcomes, FailureOutcomes),
        Note = "one outcome per expected status code",
    };
    public override bool HasSideEffects => true;
    public override RetryPolicy DefaultRetry => RetryPolicy.External;

    // Elsa's FlowSendHttpRequest completes with Done when it expects no status codes.
    private static IReadOnlyList<string> Outcomes(ActivityNode activity) =>
        ActivityCatalog.ListInput(activity, "expectedStatusCodes").Select(code => code.Trim()).ToList() is { Count: > 0 } codes
            ? [.. codes, .. FailureOutcomes]
            : [ActivityCatalog.DonePort, .. FailureOutcomes];

    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        // Loopback only for test mode and only when the operator allows it (Hub:Workflows:AllowLoopbackHttp).
        var testMode = context.Services.GetRequiredService<Auth.TenantScope>().Caller?.TestMode == true
            && context.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Runs.WorkflowOptions>>().Value.AllowLoopbackHttp;
        var url = context.RequireString("url");
        if (OutboundUrlGuard.Validate(url, testMode) is { } problem) throw new ActivityFailure($"'url': {problem}");
        var method = (context.GetString("method") ?? "GET").Trim().ToUpperInvariant();
        if (method is not ("GET" or "POST" or "PUT" or "PATCH" or "DELETE" or "HEAD" or "OPTIONS"))
            throw new ActivityFailure($"'method' {method} is not an HTTP method.");

        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        var content = context.Evaluate("content");
        if (content is not null)
        {
            var text = content as string ?? JsonSerializer.Serialize(content, StateJson.Options);
            var type = context.GetString("contentType") ?? (content is string ? "text/plain" : "application/json");
            request.Content = new StringContent(text, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.TryParse(type, out var parsed) ? parsed
                : throw new ActivityFailure($"'contentType' {type} is not a media type.");
        }
        if (context.Evaluate("requestHeaders") is Dictionary<string, object?> headers)
        {
            foreach (var (name, value) in headers)
            {
                if (value is null || name.Equals("Host", StringComparison.OrdinalIgnoreCase)) continue;
                if (!request.Headers.TryAddWithoutValidation(name, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)))
                    request.Content?.Headers.TryAddWithoutValidation(name, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        var expected = ActivityCatalog.ListInput(context.Node, "expectedStatusCodes");
        var lastAttempt = context.Attempt >= (context.Session.Flowchart.RetryPolicies.GetValueOrDefault(context.Node.Id) ?? DefaultRetry).MaxAttempts;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        timeout.CancelAfter(Timeout);
        HttpResponseMessage response;
        try
        {
            response = await (testMode ? _test : _live).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested)
        {
            return Failed(context, "Timeout", $"no answer from {request.RequestUri!.Host} within {Timeout.TotalSeconds:0} s", lastAttempt);
        }
        catch (HttpRequestException e)
        {
            return Failed(context, "Failed to connect", $"could not reach {request.RequestUri!.Host}: {e.Message}", lastAttempt);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var port = expected.FirstOrDefault(code => code.Trim() == status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // A server error nobody planned for is usually temporary: try again before taking the unmatched path.
            if (port is null && (status >= 500 || status == 429) && !lastAttempt)
                throw new ActivityFailure($"{method} {request.RequestUri!.Host} answered {status}", retryable: true);

            context.SetOutput("statusCode", status);
            context.SetOutput("responseHeaders", response.Headers.Concat(response.Content.Headers)
                .ToDictionary(h => h.Key, h => (object?)string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase));
            var parsed = await ReadContentAsync(response, timeout.Token);
            // Elsa names the parsed body parsedContent; the hub named it responseContent first.
            context.SetOutput("parsedContent", parsed);
            context.SetOutput("responseContent", parsed);
            // As in Elsa: with no expected status codes every answer continues through Done.
            return ActivityResult.Outcome(port ?? (expected.Count == 0 ? ActivityCatalog.DonePort : "Unmatched status code"));
        }
    }

    /// <summary>Retries while attempts remain; then the failure port if the flowchart handles it, else the run faults.</summary>
    private static ActivityResult Failed(ActivityContext context, string port, string message, bool lastAttempt)
    {
        if (!lastAttempt) throw new ActivityFailure(message, retryable: true);
        if (context.Session.Flowchart.Targets(context.Node.Id, port).Count == 0) throw new ActivityFailure(message);
        context.SetOutput("error", message);
        return ActivityResult.Outcome(port);
    }

    private static async Task<object?> ReadContentAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[MaxResponseBytes + 1];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), ct)) > 0) read += n;
        if (read > MaxResponseBytes) throw new ActivityFailure($"the response is larger than {MaxResponseBytes / 1024} KB.");
        var text = Encoding.UTF8.GetString(buffer, 0, read);
        if (response.Content.Headers.ContentType?.MediaType is { } media && media.Contains("json", StringComparison.OrdinalIgnoreCase) && text.Length > 0)
        {
            try
            {
                using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
                return JsonSerializer.Deserialize<object>(document.RootElement.GetRawText(), StateJson.Options);
            }
            catch (JsonException)
            {
                return text;
            }
        }
        return text;
    }

    public void Dispose()
    {
        _live.Dispose();
        _test.Dispose();
    }
}
