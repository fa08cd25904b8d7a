using ESign.Hub.Workflows.Definitions;

namespace ESign.Hub.Workflows.Runtime.Activities;

/// <summary>
/// Elsa.ForEach: runs its body once per item of <c>items</c>, one after the other; the body sees the item as
/// <c>CurrentValue</c> (<c>getCurrentValue()</c>) and its index as <c>CurrentIndex</c>, and the <c>currentValue</c> output holds
/// it (bound to a variable, as Elsa's designer does). An Elsa.Break in the body ends the loop.
/// </summary>
public sealed class ForEachActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.ForEach", "Looping", "For Each", "Runs its body once per item, in order.")
    {
        Inputs = [new("items", "Object", "The items: a list, or a script that returns one.") { Required = true, UiHint = InputUiHint.Json }],
        Outputs = [new("currentValue", "Object", "The item of the current iteration.")],
    };

    public override bool EndsOnBreak => true;

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var loop = context.Container;
        // Evaluated once, as Elsa does, and kept with the run so a restart goes on with the same items.
        loop.Items = LoopItems.Of(context.Evaluate("items"));
        loop.Next = 0;
        loop.Breaking = false;
        return ValueTask.FromResult(NextIteration(context));
    }

    public override ValueTask<ActivityResult> OnBodyCompletedAsync(ActivityContext context) => ValueTask.FromResult(NextIteration(context));

    private static ActivityResult NextIteration(ActivityContext context)
    {
        var loop = context.Container;
        var items = loop.Items ?? [];
        if (context.Body is not { Activities.Count: > 0 })
        {
            // Nothing to run per item: the last one is the current value, as if each had been visited.
            if (items.Count > 0) context.SetOutput("currentValue", items[^1]);
            return ActivityResult.Done;
        }
        if (loop.Breaking || loop.Next >= items.Count) return ActivityResult.Done;
        var index = loop.Next++;
        context.SetOutput("currentValue", items[index]);
        context.StartBody(Iteration(items[index], index));
        return ActivityResult.Running;
    }

    internal static Dictionary<string, object?> Iteration(object? value, int index) =>
        new(StringComparer.Ordinal) { ["CurrentValue"] = value, ["CurrentIndex"] = (long)index };
}

/// <summary>
/// Elsa.ParallelForEach: runs its body for every item of <c>items</c> at once (each body waits and resumes on its own) and
/// continues through Done when all of them are done. Each body sees its item as <c>CurrentValue</c> and its index as
/// <c>CurrentIndex</c>.
/// </summary>
public sealed class ParallelForEachActivity : WorkflowActivity
{
    /// <summary>Bodies one ParallelForEach may run at once; each is a scope in the run's state.</summary>
    public const int MaxItems = 1_000;

    public override ActivityDescriptor Descriptor { get; } = new("Elsa.ParallelForEach", "Looping", "Parallel For Each",
        "Runs its body for every item at once and continues when all are done.")
    {
        Inputs = [new("items", "Object", $"The items (at most {MaxItems:N0}): a list, or a script that returns one.") { Required = true, UiHint = InputUiHint.Json }],
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var items = LoopItems.Of(context.Evaluate("items"));
        if (items.Count > MaxItems)
            throw new ActivityFailure($"'items' has {items.Count:N0} items; a ParallelForEach runs at most {MaxItems:N0} at once (use a ForEach for more).");
        if (items.Count == 0 || context.Body is not { Activities.Count: > 0 }) return ValueTask.FromResult(ActivityResult.Done);
        for (var i = 0; i < items.Count; i++)
            context.StartBody(ForEachActivity.Iteration(items[i], i));
        return ValueTask.FromResult(ActivityResult.Running);
    }

    public override ValueTask<ActivityResult> OnBodyCompletedAsync(ActivityContext context) =>
        ValueTask.FromResult(context.Container.Open > 0 ? ActivityResult.Running : ActivityResult.Done);
}

/// <summary>
/// Elsa.While: runs its body again and again while <c>condition</c> holds (evaluated before each iteration). An Elsa.Break in
/// the body ends it. A loop that never waits stops at the runner's per-pass limit with an incident instead of holding a worker.
/// </summary>
public sealed class WhileActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.While", "Looping", "While", "Runs its body again and again while the condition holds.")
    {
        Inputs = [new("condition", "Boolean", "Evaluated before every iteration (usually JavaScript).") { UiHint = InputUiHint.Code }],
    };

    public override bool EndsOnBreak => true;

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var loop = context.Container;
        loop.Next = 0;
        loop.Breaking = false;
        return ValueTask.FromResult(NextIteration(context));
    }

    public override ValueTask<ActivityResult> OnBodyCompletedAsync(ActivityContext context) => ValueTask.FromResult(NextIteration(context));

    private static ActivityResult NextIteration(ActivityContext context)
    {
        var loop = context.Container;
        if (loop.Breaking || !Truth.Of(context.Evaluate("condition"))) return ActivityResult.Done;
        if (context.Body is not { Activities.Count: > 0 })
            throw new ActivityFailure("'condition' holds and the loop has no body to run: it would never end.");
        loop.Next++;
        context.StartBody();
        return ActivityResult.Running;
    }
}

/// <summary>Elsa.Break: ends the nearest enclosing ForEach or While (without one, the flowchart it is in).</summary>
public sealed class BreakActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.Break", "Looping", "Break", "Ends the nearest enclosing loop.")
    {
        Outcomes = ActivityOutcomes.None,
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) => ValueTask.FromResult(ActivityResult.Break);
}
