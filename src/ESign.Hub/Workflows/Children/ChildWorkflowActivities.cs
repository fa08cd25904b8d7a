using ESign.Hub.Workflows.Definitions;
using ESign.Hub.Workflows.Runtime;

namespace ESign.Hub.Workflows.Children;

/// <summary>
/// Elsa.ExecuteWorkflow: runs the published workflow <c>workflowDefinitionId</c> of this account as a child run with
/// <c>input</c>. With <c>waitForCompletion</c> this activity waits until the child ends, then <c>result</c> is Elsa's
/// ExecuteWorkflowResult: <c>{ workflowInstanceId, status, subStatus, output }</c> (output: the child's workflow outputs);
/// a child that faults or is canceled faults this activity. Without it, the activity goes on at once.
/// </summary>
public sealed class ExecuteWorkflowActivity(ChildRuns children) : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.ExecuteWorkflow", "Composition", "Execute Workflow",
        "Runs another published workflow as a child run, optionally waiting for it and giving its output as the result.")
    {
        Inputs = ChildInputs.Common,
        Outputs = [new("result", "ExecuteWorkflowResult", "{ workflowInstanceId, status, subStatus, output }: the child run and its workflow outputs.")],
        WaitsFor = ChildRuns.BookmarkName,
    };

    public override bool HasSideEffects => true;

    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var version = await ChildRuns.PublishedAsync(context, context.RequireString("workflowDefinitionId"));
        var child = await children.StartAsync(context, version, ChildRuns.InputOf(context, "input"), context.GetString("correlationId"));
        if (ChildInputs.Waits(context)) return ActivityResult.Wait(ChildRuns.WaitFor(context, child));
        context.SetOutput("result", Result(child.Id, "Running", "Pending", null));
        return ActivityResult.Done;
    }

    public override ValueTask<ActivityResult> ResumeAsync(ActivityContext context, Bookmark bookmark, IReadOnlyDictionary<string, object?> payload)
    {
        var output = ChildRuns.CompletedOutput(payload);
        context.SetOutput("result", Result(payload.GetValueOrDefault("child_run_id") as string, "Finished", "Finished", output));
        return ValueTask.FromResult(ActivityResult.Done);
    }

    private static Dictionary<string, object?> Result(string? runId, string status, string subStatus, Dictionary<string, object?>? output) => new()
    {
        ["workflowInstanceId"] = runId, ["status"] = status, ["subStatus"] = subStatus, ["output"] = output,
    };
}

/// <summary>
/// Elsa.DispatchWorkflow: starts the published workflow <c>workflowDefinitionId</c> of this account as a child run with
/// <c>input</c>. With <c>waitForCompletion</c> this activity waits until the child ends and <c>result</c> is the child's
/// workflow outputs (what Elsa.SetOutput set, by name); a child that faults or is canceled faults this activity.
/// </summary>
public sealed class DispatchWorkflowActivity(ChildRuns children) : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.DispatchWorkflow", "Composition", "Dispatch Workflow",
        "Starts another published workflow as a child run; optionally waits for it and gives its outputs as the result.")
    {
        Inputs = ChildInputs.Common,
        Outputs = [new("result", "Object", "The child's workflow outputs by name, once it completed (with waitForCompletion).")],
        WaitsFor = ChildRuns.BookmarkName,
    };

    public override bool HasSideEffects => true;

    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var version = await ChildRuns.PublishedAsync(context, context.RequireString("workflowDefinitionId"));
        var child = await children.StartAsync(context, version, ChildRuns.InputOf(context, "input"), context.GetString("correlationId"));
        return ChildInputs.Waits(context) ? ActivityResult.Wait(ChildRuns.WaitFor(context, child)) : ActivityResult.Done;
    }

    public override ValueTask<ActivityResult> ResumeAsync(ActivityContext context, Bookmark bookmark, IReadOnlyDictionary<string, object?> payload)
    {
        context.SetOutput("result", ChildRuns.CompletedOutput(payload));
        return ValueTask.FromResult(ActivityResult.Done);
    }
}

/// <summary>
/// A workflow used as an activity (its type is the other definition's name, <c>workflowDefinitionId</c> names it): runs
/// that definition's published version as a child run with the node's inputs named as the child's declared inputs, waits
/// for it, sets the child's workflow outputs as its own outputs (so bindings to variables fill them) and continues through
/// the outcomes the child completed with, or Done.
/// </summary>
public sealed class WorkflowDefinitionActivity(ChildRuns children) : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new(WorkflowActivityNodes.HandlerType, "Workflows", "Workflow",
        "Runs a workflow used as an activity: its type is the definition's name, its ports the definition's outcomes.")
    {
        WaitsFor = ChildRuns.BookmarkName,
    };

    public override bool HasSideEffects => true;

    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var version = await WorkflowsAsActivities.ResolveAsync(context, context.Node)
            ?? throw new ActivityFailure(WorkflowsAsActivities.Missing(context.Node));
        var child = WorkflowDefinitionReader.Read(version.Json).Definition!;
        var input = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var name in WorkflowActivityNodes.Declared(child, "inputs").Where(context.Has))
            input[name] = context.Evaluate(name);
        var run = await children.StartAsync(context, version, input, null);
        return ActivityResult.Wait(ChildRuns.WaitFor(context, run));
    }

    public override ValueTask<ActivityResult> ResumeAsync(ActivityContext context, Bookmark bookmark, IReadOnlyDictionary<string, object?> payload)
    {
        foreach (var (name, value) in ChildRuns.CompletedOutput(payload))
            context.SetOutput(name, value);
        var outcomes = (payload.GetValueOrDefault("outcomes") as List<object?> ?? []).OfType<string>().ToList();
        return ValueTask.FromResult(outcomes.Count > 0 ? ActivityResult.Outcome(outcomes) : ActivityResult.Done);
    }
}

internal static class ChildInputs
{
    public static readonly IReadOnlyList<ActivityInput> Common =
    [
        new("workflowDefinitionId", "String", "The definition id of the published workflow to run (in this account).") { Required = true },
        new("correlationId", "String", "The child run's correlation id."),
        new("input", "Object", "The child's input: an object of named values (getInput('name') in the child).") { UiHint = InputUiHint.Json },
        new("waitForCompletion", "Boolean", "Wait until the child ends and take its output as the result.") { UiHint = InputUiHint.Checkbox, Default = false },
    ];

    public static bool Waits(ActivityContext context) => context.Evaluate("waitForCompletion") switch
    {
        bool b => b,
        string s => bool.TryParse(s, out var b) && b,
        _ => false,
    };
}
