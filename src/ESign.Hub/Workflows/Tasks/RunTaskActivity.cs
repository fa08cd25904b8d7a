using System.Text.Json;
using ESign.Hub.Hosting;
using ESign.Hub.Storage;
using ESign.Hub.Workflows.Definitions;
using ESign.Hub.Workflows.Runtime;

namespace ESign.Hub.Workflows.Tasks;

/// <summary>
/// Elsa.RunTask: asks for a task to be done outside the workflow and waits until it is. The task (its <c>taskName</c> and
/// <c>payload</c>) is stored and announced as a <c>workflow_run.task_requested</c> webhook in the run's next commit, so
/// it exists exactly when the run waits for it; <c>POST /v1/workflow-tasks/{id}/complete</c> resumes the run and its
/// body's <c>result</c> becomes the activity's <c>result</c>.
/// </summary>
public sealed class RunTaskActivity(WorkflowTaskEvents events) : WorkflowActivity
{
    /// <summary>The bookmark a run waits on, keyed by the task id.</summary>
    public const string BookmarkName = "task";

    public override ActivityDescriptor Descriptor { get; } = new("Elsa.RunTask", "Primitives", "Run Task",
        "Requests a task from an outside system or person (webhook workflow_run.task_requested) and waits until it is completed through the API.")
    {
        Inputs =
        [
            new("taskName", "String", "What is to be done, e.g. \"Create Email Account\".") { Required = true },
            new("payload", "Object", "The data the task is about.") { UiHint = InputUiHint.Json },
        ],
        Outputs = [new("result", "Object", "The result sent with POST /v1/workflow-tasks/{id}/complete.")],
        WaitsFor = BookmarkName,
    };

    public override bool HasSideEffects => true;

    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var name = context.RequireString("taskName");
        if (name.Length > 200) throw new ActivityFailure("'taskName' is longer than 200 characters.");
        var payload = context.Evaluate("payload");
        var taskId = Ids.New("wft");
        var bookmark = context.NewBookmark(BookmarkName, taskId, payload: new Dictionary<string, object?> { ["task_id"] = taskId });
        var caller = context.Services.GetRequiredService<Auth.TenantScope>().Caller!;
        var task = new WorkflowTask
        {
            Id = taskId, AccountId = caller.AccountId, TestMode = caller.TestMode, RunId = context.Session.InstanceId, ActivityId = context.Node.Id,
            BookmarkId = bookmark.Id, Name = name, Payload = payload is null ? null : JsonSerializer.Serialize(payload, StateJson.Options),
            CreatedAt = context.Now,
        };
        var db = context.Services.GetRequiredService<HubDbContext>();
        db.WorkflowTasks.Add(task);
        await events.AddTaskRequestedAsync(db, task, context.CancellationToken);
        context.SetOutput("taskId", taskId);
        return ActivityResult.Wait(bookmark);
    }

    public override ValueTask<ActivityResult> ResumeAsync(ActivityContext context, Bookmark bookmark, IReadOnlyDictionary<string, object?> payload)
    {
        context.SetOutput("result", payload.GetValueOrDefault("result"));
        return ValueTask.FromResult(ActivityResult.Done);
    }
}
