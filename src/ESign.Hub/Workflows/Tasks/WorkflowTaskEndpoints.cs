using System.Text.Json;
using ESign.Hub.Auth;
using ESign.Hub.Hosting;
using ESign.Hub.Storage;
using ESign.Hub.Workflows.Expressions;
using ESign.Hub.Workflows.Runs;
using ESign.Hub.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Workflows.Tasks;

public sealed record WorkflowTaskResponse(
    string Id, string RunId, string ActivityId, string Name, JsonElement? Payload, string Status, JsonElement? Result, DateTime CreatedAt,
    DateTime? CompletedAt)
{
    public static WorkflowTaskResponse From(WorkflowTask task) => new(
        task.Id, task.RunId, task.ActivityId, task.Name, Parse(task.Payload), Json.EnumName(task.Status), Parse(task.Result), task.CreatedAt,
        task.CompletedAt);

    private static JsonElement? Parse(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
}

public sealed record CompleteTaskBody(JsonElement? Result);

/// <summary>
/// <c>/v1/workflow-tasks</c>: the tasks Elsa.RunTask activities requested, and completing them, which resumes the run
/// with the result. Scope <c>workflows:manage</c>, as for publishing events to runs: completing a task moves a run on.
/// </summary>
public static class WorkflowTaskEndpoints
{
    public static IEndpointRouteBuilder MapWorkflowTaskEndpoints(this IEndpointRouteBuilder app)
    {
        var tasks = app.MapGroup("/v1/workflow-tasks").WithTags("Workflow tasks").RequireScope(Scopes.WorkflowsManage).ProducesAuthProblems();
        tasks.MapGet("/", List).WithName("ListWorkflowTasks").WithSummary("Tasks Elsa.RunTask requested, newest first (?status=pending|completed, ?run_id=)")
            .Produces<ListResponse<WorkflowTaskResponse>>().ProducesProblems(400);
        tasks.MapGet("/{id}", Get).WithName("GetWorkflowTask").WithSummary("One task").Produces<WorkflowTaskResponse>().ProducesProblems(404);
        tasks.MapPost("/{id}/complete", Complete).WithName("CompleteWorkflowTask")
            .WithSummary("Complete a pending task with a result: the run waiting for it goes on, with the result as the RunTask's result")
            .Produces<WorkflowTaskResponse>().ProducesProblems(404, 409, 422);
        return app;
    }

    private static async Task<IResult> List(HttpRequest http, HubDbContext db, CancellationToken ct)
    {
        var query = http.Query;
        var tasks = db.WorkflowTasks.AsNoTracking();
        if (query["status"].FirstOrDefault() is { } statusText)
        {
            if (!Enum.GetValues<WorkflowTaskStatus>().Any(s => Json.EnumName(s) == statusText))
                return Problems.BadRequest($"status must be one of {string.Join(", ", Enum.GetValues<WorkflowTaskStatus>().Select(s => Json.EnumName(s)))}.");
            var status = Enum.GetValues<WorkflowTaskStatus>().First(s => Json.EnumName(s) == statusText);
            tasks = tasks.Where(t => t.Status == status);
        }
        if (query["run_id"].FirstOrDefault() is { } runId) tasks = tasks.Where(t => t.RunId == runId);
        var limit = 20;
        if (query["limit"].FirstOrDefault() is { } limitText && (!int.TryParse(limitText, out limit) || limit is < 1 or > 100))
            return Problems.BadRequest("limit must be a number from 1 to 100.");
        // Ids sort by creation time, so the cursor is the last id seen.
        if (query["starting_after"].FirstOrDefault() is { } cursor) tasks = tasks.Where(t => string.Compare(t.Id, cursor) < 0);
        var page = await tasks.OrderByDescending(t => t.Id).Take(limit + 1).ToListAsync(ct);
        var hasMore = page.Count > limit;
        if (hasMore) page.RemoveAt(limit);
        return TypedResults.Ok(new ListResponse<WorkflowTaskResponse>([.. page.Select(WorkflowTaskResponse.From)], hasMore, hasMore ? page[^1].Id : null));
    }

    private static async Task<IResult> Get(string id, HubDbContext db, CancellationToken ct)
    {
        var task = await db.WorkflowTasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, ct);
        return task is null ? Problems.NotFound("workflow task", id) : TypedResults.Ok(WorkflowTaskResponse.From(task));
    }

    private static async Task<IResult> Complete(string id, CompleteTaskBody? body, HubDbContext db, WorkflowRuntime runtime, TimeProvider clock,
        CancellationToken ct)
    {
        if (body?.Result is { } raw && raw.GetRawText().Length > MaxResultBytes)
            return Problems.Invalid(Error("result", $"The result is larger than {MaxResultBytes / 1024} KB; pass references (ids) instead of documents."));
        if (body?.Result is { } given && UntrustedJson.FindProblem(given, "result") is { } bad)
            return Problems.Invalid(Error(bad.Path, bad.Message));
        var task = await db.WorkflowTasks.FirstOrDefaultAsync(t => t.Id == id, ct);
        if (task is null) return Problems.NotFound("workflow task", id);
        // A run that finished or was canceled meanwhile (Elsa.End in another branch) waits for nothing: completing is pointless.
        if (task.Status == WorkflowTaskStatus.Pending && !await db.WorkflowBookmarks.AnyAsync(b => b.Id == task.BookmarkId && b.ResumedAt == null, ct))
            return Problems.Conflict($"Run '{task.RunId}' no longer waits for task '{id}': it finished or was canceled.");
        var resultJson = body?.Result is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } r ? r.GetRawText() : null;
        if (!task.Complete(resultJson, clock.GetUtcNow().UtcDateTime))
            return Problems.Conflict($"Task '{id}' was already completed at {task.CompletedAt:O}.");
        try
        {
            // The task row is the guard: two completions race on it, and one of them fails here.
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict($"Task '{id}' was completed by another request.");
        }
        // Stored first: if the hub stops before the run resumes, the TaskCompleted source resumes it.
        await runtime.ResumeAndRunAsync(task.BookmarkId, task.RunId, JsonSerializer.Serialize(ResumePayload(resultJson), StateJson.Options), ct);
        return TypedResults.Ok(WorkflowTaskResponse.From(task));
    }

    public const int MaxResultBytes = 256 * 1024;

    /// <summary>What the waiting RunTask gets back: <c>{ result }</c>.</summary>
    public static Dictionary<string, object?> ResumePayload(string? resultJson) => new()
    {
        ["result"] = resultJson is null ? null : JsonSerializer.Deserialize<object>(resultJson, StateJson.Options),
    };

    private static ValidationErrors Error(string path, string message)
    {
        var errors = new ValidationErrors();
        errors.Add(path, message);
        return errors;
    }
}
