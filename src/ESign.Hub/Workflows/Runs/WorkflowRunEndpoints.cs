using System.Text.Json;
using ESign.Hub.Auth;
using ESign.Hub.Hosting;
using ESign.Hub.Storage;
using ESign.Hub.Workflows.Expressions;
using ESign.Hub.Workflows.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Workflows.Runs;

public sealed record StartRunBody(JsonElement? Input, string? CorrelationId);

public sealed record PublishEventBody(string? Name, string? CorrelationId, JsonElement? Payload);

public sealed record PublishEventResponse(string Name, IReadOnlyList<string> RunIds);

/// <summary>
/// Runs: start a published workflow (<c>POST /v1/workflows/{definition_id}/runs</c>), list and read runs with their
/// journal, retry a faulted run from its failed activity, cancel, and publish an event to waiting runs and Event triggers.
/// </summary>
public static class WorkflowRunEndpoints
{
    public const int MaxInputBytes = 256 * 1024;

    public static IEndpointRouteBuilder MapWorkflowRunEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/workflows/{definitionId}/runs", Start).WithTags("Workflow runs").RequireScope(Scopes.WorkflowsManage).ProducesAuthProblems()
            .WithName("StartWorkflowRun")
            .WithSummary("Run the published version with { input, correlation_id }; answers when the run completes, faults or waits")
            .Produces<WorkflowRunResponse>(StatusCodes.Status201Created).ProducesProblems(400, 404, 409, 422);
        var runs = app.MapGroup("/v1/workflow-runs").WithTags("Workflow runs").RequireScope(Scopes.WorkflowsManage).ProducesAuthProblems();
        runs.MapGet("/", List).WithName("ListWorkflowRuns")
            .WithSummary("Runs, newest first. Filters: status, definition_id, correlation_id, created_after, created_before; pages: limit, starting_after")
            .Produces<ListResponse<WorkflowRunResponse>>().ProducesProblems(400);
        runs.MapGet("/{id}", Get).WithName("GetWorkflowRun").WithSummary("A run with its journal").Produces<WorkflowRunResponse>().ProducesProblems(404);
        runs.MapPost("/{id}/retry", Retry).WithName("RetryWorkflowRun").WithSummary("Run a faulted run again from the activity that failed")
            .Produces<WorkflowRunResponse>().ProducesProblems(404, 409);
        runs.MapPost("/{id}/cancel", Cancel).WithName("CancelWorkflowRun").WithSummary("Cancel a run that has not finished")
            .Produces<WorkflowRunResponse>().ProducesProblems(404, 409);
        app.MapPost("/v1/workflow-events", PublishEvent).WithTags("Workflow runs").RequireScope(Scopes.WorkflowsManage).ProducesAuthProblems()
            .WithName("PublishWorkflowEvent")
            .WithSummary("Resume runs waiting in Elsa.Event for this name (only those started with correlation_id, if given), and start workflows whose Elsa.Event trigger has it")
            .Produces<PublishEventResponse>(StatusCodes.Status202Accepted).ProducesProblems(400, 422);
        return app;
    }

    private static async Task<IResult> Start(string definitionId, StartRunBody? body, HubDbContext db, TenantScope tenant, WorkflowRuntime runtime,
        CancellationToken ct)
    {
        var input = body?.Input;
        if (body?.CorrelationId is { } correlation && (correlation.Length is 0 or > 200))
            return Problems.Invalid(Error("correlation_id", "Use 1 to 200 characters, e.g. the id of the deal or employee the run is about."));
        if (input is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined) })
            return Problems.Invalid(Error("input", "Give the input as a JSON object, e.g. { \"input\": { \"name\": \"Ada\" } }."));
        if (input is { ValueKind: JsonValueKind.Object } && input.Value.GetRawText().Length > MaxInputBytes)
            return Problems.Invalid(Error("input", $"The input is larger than {MaxInputBytes / 1024} KB; pass references (ids) instead of documents."));
        if (input is { } given && UntrustedJson.FindProblem(given, "input") is { } badInput)
            return Problems.Invalid(Error(badInput.Path, badInput.Message));

        var versions = await db.Workflows.AsNoTracking().Where(w => w.DefinitionId == definitionId)
            .Select(w => new { w.Id, w.Version, w.Status }).ToListAsync(ct);
        if (versions.Count == 0) return Problems.NotFound("workflow", definitionId);
        var published = versions.Where(v => v.Status == WorkflowVersionStatus.Published).MaxBy(v => v.Version);
        if (published is null)
            return Problems.Conflict($"Workflow '{definitionId}' has no published version; publish it with POST /v1/workflows/{definitionId}/publish.");
        var version = await db.Workflows.AsNoTracking().FirstAsync(w => w.Id == published.Id, ct);

        var values = input is { ValueKind: JsonValueKind.Object } i
            ? JsonSerializer.Deserialize<Dictionary<string, object?>>(i.GetRawText(), StateJson.Options)!
            : [];
        var run = await runtime.StartAsync(new RunStart(version, values, "api", CorrelationId: body?.CorrelationId, CallerScopes: tenant.Caller!.Scopes), ct);
        var journal = await Journal(db, run.Id, ct);
        return TypedResults.Created($"/v1/workflow-runs/{run.Id}", WorkflowRunResponse.From(run, journal));
    }

    private static async Task<IResult> List(HttpRequest http, HubDbContext db, CancellationToken ct)
    {
        var query = http.Query;
        var runs = db.WorkflowRuns.AsNoTracking();
        if (query["status"].FirstOrDefault() is { } statusText)
        {
            if (!Enum.GetValues<WorkflowRunStatus>().Any(s => Json.EnumName(s) == statusText))
                return Problems.BadRequest($"status must be one of {string.Join(", ", Enum.GetValues<WorkflowRunStatus>().Select(s => Json.EnumName(s)))}.");
            var status = Enum.GetValues<WorkflowRunStatus>().First(s => Json.EnumName(s) == statusText);
            runs = runs.Where(r => r.Status == status);
        }
        if (query["definition_id"].FirstOrDefault() is { } definition) runs = runs.Where(r => r.DefinitionId == definition);
        if (query["correlation_id"].FirstOrDefault() is { } correlationId) runs = runs.Where(r => r.CorrelationId == correlationId);
        var (after, before, timeProblem) = ListQuery.CreatedWindow(query);
        if (timeProblem is not null) return timeProblem;
        if (after is not null) runs = runs.Where(r => r.CreatedAt >= after);
        if (before is not null) runs = runs.Where(r => r.CreatedAt < before);
        var limit = 20;
        if (query["limit"].FirstOrDefault() is { } limitText && (!int.TryParse(limitText, out limit) || limit is < 1 or > 100))
            return Problems.BadRequest("limit must be a number from 1 to 100.");
        // Ids sort by creation time (ULIDs), so the cursor is the last id seen.
        if (query["starting_after"].FirstOrDefault() is { } cursor) runs = runs.Where(r => string.Compare(r.Id, cursor) < 0);

        var page = await runs.OrderByDescending(r => r.Id).Take(limit + 1).ToListAsync(ct);
        var hasMore = page.Count > limit;
        if (hasMore) page.RemoveAt(limit);
        return TypedResults.Ok(new ListResponse<WorkflowRunResponse>(page.Select(r => WorkflowRunResponse.From(r)).ToList(), hasMore,
            hasMore ? page[^1].Id : null));
    }

    private static async Task<IResult> Get(string id, HubDbContext db, CancellationToken ct)
    {
        var run = await db.WorkflowRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
        return run is null ? Problems.NotFound("workflow run", id) : TypedResults.Ok(WorkflowRunResponse.From(run, await Journal(db, id, ct)));
    }

    private static async Task<IResult> Retry(string id, HubDbContext db, RunCommands commands, CancellationToken ct)
    {
        var run = await db.WorkflowRuns.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (run is null) return Problems.NotFound("workflow run", id);
        if (run.Status != WorkflowRunStatus.Faulted)
            return Problems.Conflict($"Run '{id}' is {Json.EnumName(run.Status)}; only a faulted run can be retried.");
        try
        {
            await commands.RetryAsync(db, run, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict($"Run '{id}' changed while it was being retried; read it again.");
        }
        return await Get(id, db, ct);
    }

    private static async Task<IResult> Cancel(string id, HubDbContext db, RunCommands commands, CancellationToken ct)
    {
        var run = await db.WorkflowRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
        if (run is null) return Problems.NotFound("workflow run", id);
        if (!await commands.CancelAsync(db, id, ct))
        {
            var finished = await db.WorkflowRuns.AsNoTracking().Where(r => r.Id == id).Select(r => r.Status).FirstAsync(ct);
            return Problems.Conflict($"Run '{id}' has already finished ({Json.EnumName(finished)}) and cannot be canceled.");
        }
        return await Get(id, db, ct);
    }

    private static async Task<IResult> PublishEvent(PublishEventBody? body, TenantScope tenant, WorkflowRuntime runtime, CancellationToken ct)
    {
        var name = body?.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200)
            return Problems.Invalid(Error("name", "Give the event's name (1 to 200 characters), as the Elsa.Event activities name it."));
        if (body!.CorrelationId is { Length: 0 or > 200 }) return Problems.Invalid(Error("correlation_id", "Use 1 to 200 characters, or leave it out."));
        if (body.Payload is { } raw && raw.GetRawText().Length > MaxInputBytes)
            return Problems.Invalid(Error("payload", $"The payload is larger than {MaxInputBytes / 1024} KB."));
        if (body.Payload is { } given && UntrustedJson.FindProblem(given, "payload") is { } badPayload)
            return Problems.Invalid(Error(badPayload.Path, badPayload.Message));
        object? payload = body.Payload is { } p ? JsonSerializer.Deserialize<object>(p.GetRawText(), StateJson.Options) : null;
        var caller = tenant.Caller!;
        var runIds = await runtime.PublishEventAsync(caller.AccountId, caller.TestMode, name, body.CorrelationId, payload, ct);
        return TypedResults.Accepted((string?)null, new PublishEventResponse(name, runIds));
    }

    private static Task<List<WorkflowJournalEntry>> Journal(HubDbContext db, string runId, CancellationToken ct) =>
        db.WorkflowJournal.AsNoTracking().Where(e => e.RunId == runId).OrderBy(e => e.Sequence).ToListAsync(ct);

    private static ValidationErrors Error(string path, string message)
    {
        var errors = new ValidationErrors();
        errors.Add(path, message);
        return errors;
    }
}
