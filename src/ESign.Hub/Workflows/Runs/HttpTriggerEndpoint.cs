using System.Text;
using System.Text.Json;
using ESign.Hub.Hosting;
using ESign.Hub.Storage;
using ESign.Hub.Workflows.Definitions;
using ESign.Hub.Workflows.Expressions;
using ESign.Hub.Workflows.Runtime;
using ESign.Hub.Workflows.Runtime.Activities;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Workflows.Runs;

/// <summary>
/// <c>/workflows/http/{path}</c>: a request starts the published workflow whose Elsa.HttpEndpoint trigger has this path,
/// or resumes a run waiting in an Elsa.HttpEndpoint for it; either accepts only the endpoint's supportedMethods (GET when
/// none are given). The run executes while the caller waits; the answer is what its Elsa.WriteHttpResponse wrote, or 202
/// with the run's id and status. Anonymous, like Elsa's: the workflow decides what
/// the caller may do, and the body is capped.
/// </summary>
public static class HttpTriggerEndpoint
{
    public const int MaxBodyBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapHttpTriggerEndpoint(this IEndpointRouteBuilder app)
    {
        app.Map("/workflows/http/{**path}", Handle).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// What a workflow may set besides the body: caching and download hints and its own <c>X-</c> headers. Never
    /// <c>Set-Cookie</c>, <c>Location</c>, a policy or framing header: these answers come from the hub's own origin.
    /// </summary>
    private static readonly HashSet<string> AllowedResponseHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Cache-Control", "Content-Disposition", "Content-Language", "ETag", "Expires", "Last-Modified", "Retry-After", "Vary",
    };

    private static readonly HashSet<string> ReservedXHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "X-Frame-Options", "X-Content-Type-Options", "X-XSS-Protection", "X-Permitted-Cross-Domain-Policies", "X-Powered-By",
        "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-DNS-Prefetch-Control",
    };

    /// <summary>X- headers that proxies and old browsers act on: serve a file (nginx, Apache, LiteSpeed) or set a policy.</summary>
    private static readonly string[] ReservedXPrefixes = ["X-Accel-", "X-Sendfile", "X-LiteSpeed-", "X-Forwarded-"];

    public static bool IsAllowedResponseHeader(string name) =>
        AllowedResponseHeaders.Contains(name)
        || (name.StartsWith("X-", StringComparison.OrdinalIgnoreCase) && !ReservedXHeaders.Contains(name)
            && !ReservedXPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase))
            && !name.EndsWith("-CSP", StringComparison.OrdinalIgnoreCase) && !name.Contains("Security-Policy", StringComparison.OrdinalIgnoreCase)
            && name.Length <= 100 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'));

    private static async Task<IResult> Handle(string? path, HttpContext http, HubDbContext db, WorkflowRuntime runtime, HttpRouteTemplates templates,
        CancellationToken ct)
    {
        // Whatever the workflow writes is served in a sandbox with no script, no framing and no sniffing, as if from another origin.
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; sandbox; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";

        var key = HttpPaths.Normalize(path ?? "");
        var method = http.Request.Method.ToUpperInvariant();
        // Exact paths before templates, so a route template (any account's) never takes a request meant for a run.
        // The published version that owns the path as written: a trigger starts a run; a waiting endpoint's owner is the only
        // account whose runs waiting there are resumed.
        var owner = await db.WorkflowTriggers.IgnoreQueryFilters().AsNoTracking()
            .Where(t => (t.Kind == ActivityTrigger.Http || t.Kind == WorkflowTriggers.HttpWait) && t.Key == key).OrderBy(t => t.Id).FirstOrDefaultAsync(ct);
        var trigger = owner is { Kind: ActivityTrigger.Http } ? owner : null;
        // A path nobody owns (computed while running, such as an approval URL) resumes the run that waits there.
        var waiting = trigger is null
            ? await db.WorkflowBookmarks.IgnoreQueryFilters().AsNoTracking()
                .Where(b => b.Name == HttpEndpointActivity.BookmarkName && b.Key == key && b.ResumedAt == null && (owner == null || b.AccountId == owner.AccountId))
                .OrderBy(b => b.CreatedAt).FirstOrDefaultAsync(ct)
            : null;
        // Only then a trigger's route template (users/{userId}); its parameters become routeData.
        var routeData = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (owner is null && waiting is null && await templates.MatchAsync(db, path ?? "", ct) is { } matched)
        {
            // The copy of the templates may be older than an unpublish in another process: start only what is still published.
            if (await db.WorkflowTriggers.IgnoreQueryFilters().AnyAsync(t => t.Id == matched.Trigger.Id, ct))
                (trigger, routeData) = matched;
        }
        if (trigger is null && waiting is null) return NotFound(key);
        var allowed = trigger is not null ? trigger.Methods!.Split(',') : await WaitingMethodsAsync(db, runtime, waiting!, ct);
        if (!allowed.Contains(method))
        {
            // A path a run waits at is not published: the wrong method gets the same 404 as a path nobody answers, so
            // waiting paths cannot be found by probing. A published trigger's path is public and says what it accepts.
            if (trigger is null) return NotFound(key);
            http.Response.Headers.Allow = string.Join(", ", allowed);
            return TypedResults.Problem(statusCode: 405, detail: $"/workflows/http/{key} accepts {string.Join(", ", allowed)}, not {method}.");
        }

        var (request, problem) = await ReadRequestAsync(http, key, ct);
        if (request is null) return problem!;
        request["routeData"] = routeData;

        WorkflowRun? run;
        if (trigger is not null)
        {
            var version = await db.Workflows.IgnoreQueryFilters().AsNoTracking().FirstAsync(w => w.Id == trigger.WorkflowVersionId, ct);
            // A JSON object body is also the run's input, so getInput('amount') reads what the caller posted.
            var input = request["parsedContent"] as Dictionary<string, object?> ?? [];
            run = await runtime.StartAsync(new RunStart(version, input, ActivityTrigger.Http, trigger.ActivityId, request), ct);
        }
        else
        {
            var payload = JsonSerializer.Serialize(request, StateJson.Options);
            var outcome = await runtime.ResumeAndRunAsync(waiting!.Id, waiting.RunId, payload, ct);
            if (outcome == ResumeOutcome.AlreadyResumed)
                return Problems.Conflict($"The run waiting at /workflows/http/{key} was resumed by another request.");
            run = await db.WorkflowRuns.IgnoreQueryFilters().AsNoTracking().FirstAsync(r => r.Id == waiting.RunId, ct);
            // Another worker is executing the run and continues it: its state does not hold this request's answer yet.
            if (outcome == ResumeOutcome.LeftToWorker)
                return TypedResults.Accepted($"/v1/workflow-runs/{run.Id}", new { run_id = run.Id, status = Json.EnumName(run.Status) });
        }

        var state = WorkflowState.FromJson(run.State);
        if (state.HttpResponse is { } response)
        {
            foreach (var (name, value) in response.Headers ?? [])
            {
                if (!IsAllowedResponseHeader(name) || value.Any(char.IsControl) || value.Length > 4096) continue;
                headers[name] = value;
            }
            return Results.Text(response.Content ?? "", response.ContentType, Encoding.UTF8, response.StatusCode);
        }
        // The caller is anonymous: the run's id, not its error, which may carry the workflow's internals.
        if (run.Status == WorkflowRunStatus.Faulted)
            return TypedResults.Problem(statusCode: 500, title: "The workflow faulted",
                detail: $"Run {run.Id} faulted; its owner sees why in GET /v1/workflow-runs/{run.Id}.");
        return TypedResults.Accepted($"/v1/workflow-runs/{run.Id}", new { run_id = run.Id, status = Json.EnumName(run.Status) });
    }

    /// <summary>The methods of the Elsa.HttpEndpoint a run waits in, from the version the run started on.</summary>
    private static async Task<IReadOnlyList<string>> WaitingMethodsAsync(HubDbContext db, WorkflowRuntime runtime, WorkflowBookmark waiting, CancellationToken ct)
    {
        var version = await db.WorkflowRuns.IgnoreQueryFilters().AsNoTracking().Where(r => r.Id == waiting.RunId)
            .Join(db.Workflows.IgnoreQueryFilters(), r => r.WorkflowVersionId, w => w.Id, (_, w) => w).FirstAsync(ct);
        return runtime.FlowchartOf(version).Find(waiting.ActivityId) is { } endpoint ? WorkflowTriggers.HttpMethods(endpoint) : ["GET"];
    }

    /// <summary>
    /// The request as trigger data, in Elsa's names: parsedContent (a JSON body as data, a URL-encoded form as a dictionary,
    /// other text as a string), queryStringData, headers; and the hub's result (the same as parsedContent), method, path, query.
    /// </summary>
    private static async Task<(Dictionary<string, object?>? Request, IResult? Problem)> ReadRequestAsync(HttpContext http, string path, CancellationToken ct)
    {
        if (http.Request.ContentLength > MaxBodyBytes)
            return (null, Problems.TooLarge($"The body is larger than {MaxBodyBytes / 1024} KB."));
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes) return (null, Problems.TooLarge($"The body is larger than {MaxBodyBytes / 1024} KB."));
        }
        var text = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        object? body = text.Length == 0 ? null : text;
        if (http.Request.HasJsonContentType() && text.Length > 0)
        {
            try
            {
                using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
                if (UntrustedJson.FindProblem(document.RootElement) is { } bad)
                    return (null, Problems.BadRequest($"The body cannot be used at {bad.Path}: {bad.Message}"));
                body = JsonSerializer.Deserialize<object>(document.RootElement.GetRawText(), StateJson.Options);
            }
            catch (JsonException e)
            {
                return (null, Problems.BadRequest($"The body is not valid JSON: {e.Message}"));
            }
        }
        else if (IsUrlEncodedForm(http.Request) && text.Length > 0)
        {
            body = Values(QueryHelpers.ParseQuery(text));
        }
        var headers = http.Request.Headers
            .Where(h => !Redaction.IsSecretName(h.Key))
            .ToDictionary(h => h.Key, h => (object?)h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var query = http.Request.Query.ToDictionary(q => q.Key, q => (object?)q.Value.ToString(), StringComparer.Ordinal);
        return (new Dictionary<string, object?>
        {
            ["parsedContent"] = body, ["queryStringData"] = Values(http.Request.Query), ["headers"] = headers,
            ["result"] = body, ["method"] = http.Request.Method, ["path"] = path, ["query"] = query,
        }, null);
    }

    private static bool IsUrlEncodedForm(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
        && type.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    /// <summary>Query or form fields as data: a field given once is its text, a field given several times the list of them.</summary>
    private static Dictionary<string, object?> Values(IEnumerable<KeyValuePair<string, StringValues>> fields) =>
        fields.ToDictionary(f => f.Key, f => f.Value.Count == 1 ? f.Value[0] : (object?)f.Value.Select(v => (object?)v).ToList(), StringComparer.Ordinal);

    private static ProblemHttpResult NotFound(string key) =>
        TypedResults.Problem(statusCode: 404, detail: $"No published workflow answers at /workflows/http/{key}.");
}
