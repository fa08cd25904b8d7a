using System.Text.Json;
using System.Text.Json.Nodes;
using ESign.Hub.Workflows.Definitions;
using ESign.Hub.Workflows.Expressions;

namespace ESign.Hub.Workflows.Runtime.Activities;

/// <summary>Elsa.Start: where a run without a trigger begins.</summary>
public sealed class StartActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.Start", "Flow", "Start", "Where a run without another trigger begins.")
    {
        IsTrigger = true,
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) => ValueTask.FromResult(ActivityResult.Done);
}

/// <summary>Elsa.End: the workflow completes; other branches still running or waiting are dropped.</summary>
public sealed class EndActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.End", "Flow", "End",
        "Completes the workflow; other branches still running or waiting are dropped.") { Outcomes = ActivityOutcomes.None };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) => ValueTask.FromResult(ActivityResult.Finish);
}

/// <summary>Elsa.Finish: as Elsa.End.</summary>
public sealed class FinishActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.Finish", "Flow", "Finish",
        "Completes the workflow; other branches still running or waiting are dropped.") { Outcomes = ActivityOutcomes.None };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) => ValueTask.FromResult(ActivityResult.Finish);
}

/// <summary>Elsa.FlowDecision: <c>condition</c> → True or False.</summary>
public sealed class FlowDecisionActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.FlowDecision", "Branching", "Decision",
        "Continues through True or False depending on the condition.")
    {
        Inputs = [new("condition", "Boolean", "The condition to evaluate (usually JavaScript).") { Required = true, UiHint = InputUiHint.Code }],
        Outputs = [new("result", "Boolean", "The condition's value.")],
        Outcomes = ActivityOutcomes.Fixed("True", "False"),
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var result = Truth.Of(context.Evaluate("condition"));
        context.SetOutput("result", result);
        return ValueTask.FromResult(ActivityResult.Outcome(result ? "True" : "False"));
    }
}

/// <summary>
/// Elsa.FlowSwitch: <c>cases</c> is a list of <c>{ label, condition }</c>; the first case whose condition holds is taken
/// (every such case with <c>mode</c> MatchAny), otherwise Default.
/// </summary>
public sealed class FlowSwitchActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.FlowSwitch", "Branching", "Switch",
        "Continues through the first case whose condition holds (every such case with mode MatchAny), otherwise Default.")
    {
        Inputs =
        [
            new("cases", "Object", "A list of { label, condition }; each label is an outcome port.") { UiHint = InputUiHint.Json, Default = new List<object?>() },
            new("mode", "String", "MatchFirst takes the first case that holds; MatchAny every one.")
            {
                UiHint = InputUiHint.Dropdown, Options = ["MatchFirst", "MatchAny"], Default = "MatchFirst",
            },
        ],
        Outcomes = ActivityOutcomes.Computed(["cases"], "one outcome per case label, plus Default", SwitchOutcomes, "Default"),
    };

    private static IReadOnlyList<string> SwitchOutcomes(ActivityNode activity)
    {
        // Elsa writes FlowSwitch cases as a plain array of { label, condition }; accept an input too.
        var cases = activity.Raw["cases"] switch
        {
            JsonArray array => array,
            JsonObject input when input["expression"]?["value"] is { } value => ActivityCatalog.AsArray(value),
            _ => null,
        };
        var labels = cases?.OfType<JsonObject>()
            .Select(c => c["label"] is JsonValue label && label.GetValueKind() == JsonValueKind.String ? label.GetValue<string>() : null)
            .OfType<string>() ?? [];
        return [.. labels, "Default"];
    }

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var matchAny = IsMatchAny(context.Node.Raw["mode"]);
        var matched = new List<string>();
        foreach (var (label, condition) in Cases(context.Node))
        {
            if (!Truth.Of(context.EvaluateExpression($"cases.{label}", condition))) continue;
            matched.Add(label);
            if (!matchAny) break;
        }
        if (matched.Count == 0) matched.Add("Default");
        return ValueTask.FromResult(ActivityResult.Outcome(matched));
    }

    // Elsa writes the mode as "MatchAny", 1, or an input whose expression value is one of those.
    private static bool IsMatchAny(JsonNode? mode) => mode switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>() is "MatchAny" or "1",
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.TryGetValue<int>(out var n) && n == 1,
        JsonObject input => IsMatchAny(input["expression"]?["value"]),
        _ => false,
    };

    private static IEnumerable<(string Label, InputValue Condition)> Cases(ActivityNode node)
    {
        var cases = node.Raw["cases"] switch
        {
            JsonArray array => array,
            JsonObject input when input["expression"]?["value"] is JsonValue v && v.GetValueKind() == JsonValueKind.String => ParseCases(v.GetValue<string>()),
            _ => null,
        } ?? [];
        foreach (var item in cases.OfType<JsonObject>())
        {
            if (item["label"] is not JsonValue label || label.GetValueKind() != JsonValueKind.String) continue;
            var condition = item["condition"] switch
            {
                JsonObject c when c["type"] is JsonValue type => new InputValue("Boolean", type.GetValue<string>(), JsonSerializer.SerializeToElement(c["value"])),
                JsonObject c when c["expression"] is JsonObject e && e["type"] is JsonValue type =>
                    new InputValue("Boolean", type.GetValue<string>(), JsonSerializer.SerializeToElement(e["value"])),
                var other => new InputValue("Boolean", "Literal", JsonSerializer.SerializeToElement(other)),
            };
            yield return (label.GetValue<string>(), condition);
        }
    }

    private static JsonArray ParseCases(string json)
    {
        try
        {
            return JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 64, AllowDuplicateProperties = false }) as JsonArray
                ?? throw new ActivityFailure("'cases' must be a list of { label, condition }.");
        }
        catch (JsonException e)
        {
            throw new ActivityFailure($"'cases' is not valid JSON: {e.Message}");
        }
    }
}

/// <summary>Elsa.FlowFork: continues through every branch named in <c>branches</c>.</summary>
public sealed class FlowForkActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.FlowFork", "Flow", "Fork", "Continues through every branch at once.")
    {
        Inputs = [new("branches", "String[]", "The branch names; each is an outcome port.") { UiHint = InputUiHint.Json, Default = new List<object?>() }],
        Outcomes = ActivityOutcomes.Computed(["branches"], "one outcome per branch", a => ActivityCatalog.ListInput(a, "branches")),
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) =>
        ValueTask.FromResult(ActivityResult.Outcome(ActivityCatalog.ListInput(context.Node, "branches")));
}

/// <summary>Elsa.FlowJoin: the runner decides when it fires (WaitAll / WaitAny); once it does, it is done.</summary>
public sealed class FlowJoinActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.FlowJoin", "Flow", "Join",
        "Waits for the branches that lead into it: all of them (WaitAll), those that were taken (WaitAllActive) or the first (WaitAny).")
    {
        Inputs =
        [
            new("mode", "String",
                "WaitAll continues once every inbound branch arrived (and is skipped if one cannot arrive); WaitAllActive once every branch " +
                "that was taken arrived; WaitAny at the first, dropping what still runs in the others.")
            {
                UiHint = InputUiHint.Dropdown, Options = ["WaitAll", "WaitAllActive", "WaitAny"], Default = "WaitAll",
            },
        ],
        Support = SupportLevel.Degraded,
        Note = "WaitAll, WaitAllActive and WaitAny run as in Elsa; token-flow merge modes are approximated",
        SupportOf = JoinSupport,
    };

    private static (SupportLevel, string)? JoinSupport(ActivityNode activity) =>
        activity.Inputs.TryGetValue("mode", out var mode) && mode.Value.ValueKind == JsonValueKind.String
            && mode.Value.GetString() is "WaitAll" or "WaitAllActive" or "WaitAny"
            ? (SupportLevel.Supported, $"join mode {mode.Value.GetString()}")
            : null;

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) => ValueTask.FromResult(ActivityResult.Done);
}

/// <summary>Elsa.SetVariable: <c>variable</c> (a reference <c>{ id, name }</c> or a name) gets <c>value</c>.</summary>
public sealed class SetVariableActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.SetVariable", "Primitives", "Set Variable",
        "Sets a workflow variable to a value.")
    {
        Inputs =
        [
            new("variable", "Object", "The variable: a reference { id, name } or its name.") { Required = true },
            new("value", "Object", "The value to store.") { Required = true, UiHint = InputUiHint.MultiLine },
        ],
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var name = VariableName(context);
        var value = context.Evaluate("value");
        // The journal names the input "value"; a variable called apiToken or password keeps its value out of it too.
        if (Redaction.IsSecretName(name) && value is not null) context.RecordedInputs["value"] = Redaction.Redacted;
        context.State.Variables[name] = PlainValues.Normalize(value);
        return ValueTask.FromResult(ActivityResult.Done);
    }

    private static string VariableName(ActivityContext context)
    {
        var reference = context.Node.Raw["variable"];
        var name = reference switch
        {
            JsonObject o when o["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String => n.GetValue<string>(),
            JsonObject o when o["expression"]?["value"] is JsonValue n && n.GetValueKind() == JsonValueKind.String => n.GetValue<string>(),
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            _ => null,
        };
        // Elsa references variables by id; map an id back to the declared name.
        if (reference is JsonObject r && r["id"] is JsonValue id && id.GetValueKind() == JsonValueKind.String && name is null)
            name = context.Session.Flowchart.Definition.Variables.FirstOrDefault(v => v.Id == id.GetValue<string>())?.Name;
        return string.IsNullOrWhiteSpace(name) ? throw new ActivityFailure("'variable' does not name a variable.") : name;
    }
}

/// <summary>
/// Elsa.RunJavaScript: runs <c>script</c> in the sandbox; <c>setOutcome('X')</c> / <c>setOutcomes([...])</c> pick the
/// ports (Done when none is chosen); the script's value is the <c>result</c> output.
/// </summary>
public sealed class RunJavaScriptActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.RunJavaScript", "Scripting", "Run JavaScript",
        "Runs a script in a sandbox; setOutcome('X') or setOutcomes([...]) pick the ports, Done when none is chosen.")
    {
        Inputs =
        [
            new("script", "String", "The JavaScript to run; its value is the result output.") { Required = true, UiHint = InputUiHint.Code },
            new("possibleOutcomes", "String[]", "The outcomes the script may pick; each is an outcome port.") { UiHint = InputUiHint.Json },
        ],
        Outputs = [new("result", "Object", "The script's value.")],
        Outcomes = ActivityOutcomes.Computed(["possibleOutcomes"], "Done plus one outcome per possible outcome",
            a => [ActivityCatalog.DonePort, .. ActivityCatalog.ListInput(a, "possibleOutcomes")], ActivityCatalog.DonePort),
        Note = "sandboxed Jint: no CLR access",
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        if (!context.Node.Inputs.TryGetValue("script", out var script))
            throw new ActivityFailure("'script' is empty; give the JavaScript to run.");
        // The script input holds the code itself (Literal); run it as JavaScript whatever its expression type says.
        var code = script.ExpressionType == "JavaScript" ? script : script with { ExpressionType = "JavaScript" };
        var outcomes = new List<string>();
        var result = context.EvaluateExpression("script", code, outcomes);
        context.SetOutput("result", result);
        return ValueTask.FromResult(outcomes.Count > 0 ? ActivityResult.Outcome(outcomes.Distinct().ToList()) : ActivityResult.Done);
    }
}

/// <summary>Elsa.WriteLine: writes <c>text</c> to the hub's log (and the journal).</summary>
public sealed class WriteLineActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.WriteLine", "Console", "Write Line", "Writes text to the hub's log and the run's journal.")
    {
        Inputs = [new("text", "String", "The text to write; none writes an empty line, as in Elsa.")],
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var text = context.GetString("text") ?? "";
        context.Log(text);
        return ValueTask.FromResult(ActivityResult.Done);
    }
}

/// <summary>JavaScript-like truthiness for conditions: "false", "0", "", null and 0 are false.</summary>
public static class Truth
{
    public static bool Of(object? value) => value switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0 && !double.IsNaN(d),
        string s => !(s.Length == 0 || s.Equals("false", StringComparison.OrdinalIgnoreCase) || s == "0"),
        _ => true,
    };
}
