using ESign.Hub.Auth;
using ESign.Hub.Storage;
using ESign.Hub.Workflows.Definitions;
using ESign.Hub.Workflows.Runs;
using ESign.Hub.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Workflows.Children;

/// <summary>
/// Child runs: a run starts another published workflow of its own account and mode as a run of its own, which acts with the
/// parent's scopes. The child row is stored by the parent's next commit (the activities that start one have side effects,
/// so that commit follows at once): the child exists exactly when the parent recorded starting it. A parent that waits does
/// so on a <see cref="BookmarkName"/> bookmark keyed by the child's id, which <see cref="ChildRunEnded"/> resumes.
/// </summary>
public sealed class ChildRuns(RunFactory factory)
{
    /// <summary>The bookmark a parent waits on, keyed by the child run's id.</summary>
    public const string BookmarkName = "child-run";

    /// <summary>How a child run started (<see cref="WorkflowRun.Trigger"/>).</summary>
    public const string Trigger = "workflow";

    /// <summary>The deepest chain of child runs: a workflow that runs itself, directly or through others, stops here.</summary>
    public const int MaxDepth = 16;

    /// <summary>The input key Elsa gives a child: its parent's run id.</summary>
    public const string ParentInput = "ParentInstanceId";

    public async Task<WorkflowRun> StartAsync(ActivityContext context, StoredWorkflow version, Dictionary<string, object?> input, string? correlationId)
    {
        var depth = context.State.CallDepth + 1;
        if (depth > MaxDepth)
            throw new ActivityFailure(
                $"starting workflow '{version.DefinitionId}' would make a chain of {depth} nested runs; at most {MaxDepth} are allowed " +
                "(does a workflow run itself, directly or through others, with no way to stop?)");
        var caller = RunCaller(context);
        input[ParentInput] = context.Session.InstanceId;
        var run = factory.NewRun(new RunStart(version, input, Trigger, CorrelationId: correlationId, CallerScopes: caller.Scopes, CallDepth: depth),
            context.Now);
        context.Services.GetRequiredService<HubDbContext>().WorkflowRuns.Add(run);
        return run;
    }

    /// <summary>The newest published version of the definition in the run's own account and mode, or a failure saying so.</summary>
    public static async Task<StoredWorkflow> PublishedAsync(ActivityContext context, string definitionId)
    {
        var db = context.Services.GetRequiredService<HubDbContext>();
        // The tenant filter keeps this to the run's account and mode; another account's definition of that id is not found.
        return await db.Workflows.AsNoTracking()
                   .Where(w => w.DefinitionId == definitionId && w.Status == WorkflowVersionStatus.Published)
                   .OrderByDescending(w => w.Version).FirstOrDefaultAsync(context.CancellationToken)
               ?? throw new ActivityFailure($"workflow '{definitionId}' has no published version in this account; import and publish it first.");
    }

    /// <summary>The bookmark that waits for the child to end.</summary>
    public static Bookmark WaitFor(ActivityContext context, WorkflowRun child) =>
        context.NewBookmark(BookmarkName, child.Id, payload: new Dictionary<string, object?> { ["child_run_id"] = child.Id });

    /// <summary>The child's outputs, or a failure naming the child when it did not complete.</summary>
    public static Dictionary<string, object?> CompletedOutput(IReadOnlyDictionary<string, object?> payload)
    {
        var status = payload.GetValueOrDefault("status") as string;
        var child = payload.GetValueOrDefault("child_run_id");
        if (status != "completed")
            throw new ActivityFailure($"child run {child} {status ?? "ended"}" +
                (payload.GetValueOrDefault("fault") is string fault ? $": {fault}" : "") + $"; see GET /v1/workflow-runs/{child}.");
        return payload.GetValueOrDefault("output") as Dictionary<string, object?> ?? new Dictionary<string, object?>(StringComparer.Ordinal);
    }

    /// <summary>The input dictionary an activity gives its child: an object, or nothing.</summary>
    public static Dictionary<string, object?> InputOf(ActivityContext context, string input) => context.Evaluate(input) switch
    {
        null => new Dictionary<string, object?>(StringComparer.Ordinal),
        Dictionary<string, object?> map => new Dictionary<string, object?>(map, StringComparer.Ordinal),
        var other => throw new ActivityFailure($"input '{input}' must be an object of named values, not {other.GetType().Name}."),
    };

    private static Caller RunCaller(ActivityContext context) => context.Services.GetRequiredService<TenantScope>().Caller
        ?? throw new InvalidOperationException("A workflow activity runs without the run's caller.");
}
