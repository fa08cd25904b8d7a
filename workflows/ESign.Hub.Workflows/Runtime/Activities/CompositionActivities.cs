using System.Text.Json;
using ESign.Hub.Workflows.Definitions;
using ESign.Hub.Workflows.Expressions;

namespace ESign.Hub.Workflows.Runtime.Activities;

/// <summary>
/// Elsa.Flowchart inside a flowchart: runs its own activities and connections (from its start, by Elsa's rule) and continues
/// through Done once nothing in it is left to run or waiting.
/// </summary>
public sealed class NestedFlowchartActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.Flowchart", "Flow", "Flowchart",
        "A flowchart inside the flowchart: runs its own activities and continues through Done when they are all done.");

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) => Bodies.RunOnce(context);
}

/// <summary>Elsa.FlowNode: runs its <c>body</c> (an activity or a flowchart) and continues through Done when it is done.</summary>
public sealed class FlowNodeActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.FlowNode", "Flow", "Container",
        "Runs its body (an activity or a flowchart) and continues through Done when the body is done.");

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) => Bodies.RunOnce(context);
}

internal static class Bodies
{
    public static ValueTask<ActivityResult> RunOnce(ActivityContext context)
    {
        if (context.Body is not { Activities.Count: > 0 }) return ValueTask.FromResult(ActivityResult.Done);
        context.StartBody();
        return ValueTask.FromResult(ActivityResult.Running);
    }
}

/// <summary>
/// Elsa.Complete: the run completes now, from whatever flowchart it is in, with <c>outcomes</c> as the workflow's outcomes (what
/// a parent that uses the workflow as an activity continues through). Other branches still running or waiting are dropped.
/// </summary>
public sealed class CompleteActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.Complete", "Composition", "Complete",
        "Completes the workflow with the given outcomes; other branches still running or waiting are dropped.")
    {
        Inputs = [new("outcomes", "Object", "The outcome, or a list of outcomes, the workflow completes with (Done when none).") { UiHint = InputUiHint.Json }],
        Outcomes = ActivityOutcomes.None,
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        context.State.Outcomes = OutcomesOf(context.Evaluate("outcomes"));
        return ValueTask.FromResult(ActivityResult.FinishWorkflow);
    }

    // As Elsa's Complete.InterpretOutcomes: a name, a list of names, or nothing (Done). Object expressions hold a list as JSON text.
    private static List<string> OutcomesOf(object? value) => value switch
    {
        null => [ActivityCatalog.DonePort],
        string s when s.TrimStart().StartsWith('[') && ActivityCatalog.AsArray(System.Text.Json.Nodes.JsonValue.Create(s)) is { } array =>
            [.. array.Select(o => o?.ToString()).OfType<string>()],
        string s => [s],
        List<object?> list => [.. list.Select(o => Convert.ToString(o, System.Globalization.CultureInfo.InvariantCulture)).OfType<string>()],
        var other => [Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture) ?? ActivityCatalog.DonePort],
    };
}

/// <summary>Elsa.Fault: faults the run with <c>code</c>, <c>category</c>, <c>faultType</c> and <c>message</c>, as an incident operators see.</summary>
public sealed class FaultActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.Fault", "Primitives", "Fault", "Faults the workflow with a code and a message.")
    {
        Inputs =
        [
            new("code", "String", "A code to categorize the fault.") { Default = "0" },
            new("category", "String", "What kind of fault: HTTP, Business, …") { Default = "General" },
            new("faultType", "String", "The type of fault: System, Business, Integration, …") { Default = "System" },
            new("message", "String", "The message operators see in the incident.") { UiHint = InputUiHint.MultiLine },
        ],
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var code = context.GetString("code") is { Length: > 0 } c ? c : "0";
        var category = context.GetString("category") is { Length: > 0 } g ? g : "General";
        var type = context.GetString("faultType") is { Length: > 0 } t ? t : "System";
        var message = context.GetString("message") is { Length: > 0 } m ? m : "the workflow faulted";
        throw new ActivityFailure($"{message} (code {code}, category {category}, type {type})");
    }
}

/// <summary>Elsa.SetOutput: sets the workflow output <c>outputName</c> (declared in the definition's <c>outputs</c>) to <c>outputValue</c>.</summary>
public sealed class SetOutputActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.SetOutput", "Composition", "Set Output",
        "Sets one of the workflow's outputs, which the run's caller or a parent workflow reads.")
    {
        Inputs =
        [
            new("outputName", "String", "The name of the workflow output.") { Required = true },
            new("outputValue", "Object", "The value to assign.") { UiHint = InputUiHint.MultiLine },
        ],
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var name = context.RequireString("outputName");
        var value = PlainValues.Normalize(context.Evaluate("outputValue"));
        context.State.Output[name] = value;
        context.RecordedOutputs[name] = Redaction.Apply(name, value);
        return ValueTask.FromResult(ActivityResult.Done);
    }
}

/// <summary>Elsa.SetName: names the run (shown as <c>name</c> on the run).</summary>
public sealed class SetNameActivity : WorkflowActivity
{
    /// <summary>Longest run name kept; a name is a label, not a place for data.</summary>
    public const int MaxLength = 200;

    public override ActivityDescriptor Descriptor { get; } = new("Elsa.SetName", "Primitives", "Set Name", "Sets the name of the run.")
    {
        Inputs = [new("value", "String", $"The run's name (at most {MaxLength} characters).") { Required = true }],
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var name = context.GetString("value") ?? "";
        if (name.Length > MaxLength) throw new ActivityFailure($"'value' is {name.Length} characters; a run's name has at most {MaxLength}.");
        context.State.Name = name;
        return ValueTask.FromResult(ActivityResult.Done);
    }
}

/// <summary>Elsa.Correlate: sets the run's correlation id, so events published for it (<c>correlation_id</c>) resume it.</summary>
public sealed class CorrelateActivity : WorkflowActivity
{
    /// <summary>As the API's <c>correlation_id</c>.</summary>
    public const int MaxLength = 200;

    public override ActivityDescriptor Descriptor { get; } = new("Elsa.Correlate", "Primitives", "Correlate",
        "Sets the run's correlation id: events published with it resume this run.")
    {
        Inputs = [new("correlationId", "String", $"The correlation id (1 to {MaxLength} characters), e.g. the deal or employee the run is about.") { Required = true }],
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var id = context.GetString("correlationId") ?? "";
        if (id.Length is 0 or > MaxLength) throw new ActivityFailure($"'correlationId' must be 1 to {MaxLength} characters (got {id.Length}).");
        context.State.CorrelationId = id;
        return ValueTask.FromResult(ActivityResult.Done);
    }
}

/// <summary>The items a loop iterates, as Elsa accepts them: a list, or JSON text of one (how Object expressions hold lists).</summary>
internal static class LoopItems
{
    public static List<object?> Of(object? value) => value switch
    {
        null => [],
        List<object?> list => list,
        string s when s.TrimStart().StartsWith('[') => Parse(s),
        _ => throw new ActivityFailure($"'items' must be a list, e.g. [1, 2, 3] or a script that returns one (got {Describe(value)})."),
    };

    private static List<object?> Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
            return PlainValues.FromJson(document.RootElement) as List<object?> ?? [];
        }
        catch (JsonException e)
        {
            throw new ActivityFailure($"'items' is not a valid JSON list: {e.Message}");
        }
    }

    private static string Describe(object value) => value is Dictionary<string, object?> ? "an object" : $"'{value}'";
}
