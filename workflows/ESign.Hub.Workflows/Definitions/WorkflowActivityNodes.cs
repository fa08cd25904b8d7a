using System.Text.Json;
using System.Text.Json.Nodes;

namespace ESign.Hub.Workflows.Definitions;

/// <summary>
/// Workflows used as activities, as Elsa writes them: the node's <c>type</c> is the other definition's name in Pascal case
/// ("Subworkflow test" becomes <c>SubworkflowTest</c>) and a plain <c>workflowDefinitionId</c> property names it. Its
/// ports are the definition's declared <c>outcomes</c> (and Done), its inputs the definition's <c>inputs</c>.
/// </summary>
public static class WorkflowActivityNodes
{
    /// <summary>The type the host registers the activity under that runs every workflow used as an activity.</summary>
    public const string HandlerType = "Elsa.WorkflowDefinitionActivity";

    /// <summary>The definition id the node names, or null when the node is not a workflow used as an activity.</summary>
    public static string? ChildDefinitionId(ActivityNode node) =>
        node.Raw["workflowDefinitionId"] is JsonValue id && id.GetValueKind() == JsonValueKind.String && id.GetValue<string>() is { Length: > 0 } text
            ? text : null;

    /// <summary>The activity type name Elsa gives a definition used as an activity: its name in Pascal case.</summary>
    public static string TypeNameOf(string definitionName) =>
        string.Concat(definitionName.Split([' ', '-', '_', '.'], StringSplitOptions.RemoveEmptyEntries)
            .Select(word => char.ToUpperInvariant(word[0]) + word[1..]));

    /// <summary>The names declared in a definition's <c>inputs</c>, <c>outputs</c> or <c>outcomes</c> (strings or <c>{ name }</c> objects).</summary>
    public static IReadOnlyList<string> Declared(WorkflowDefinition definition, string section) =>
        definition.Raw[section] is JsonArray items
            ? [.. items.Select(item => item switch
                {
                    JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                    JsonObject o when o["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String => n.GetValue<string>(),
                    _ => null,
                }).Where(name => !string.IsNullOrWhiteSpace(name)).Select(name => name!).Distinct(StringComparer.Ordinal)]
            : [];

    /// <summary>
    /// How a workflow used as an activity is described to validation and the import report: the child's declared inputs
    /// and outputs, its outcomes and Done as ports.
    /// </summary>
    public static ActivityDescriptor DescriptorFor(string type, WorkflowDefinition child, string childDefinitionId) =>
        new(type, "Workflows", child.Name ?? type, child.Description ?? $"Runs workflow '{childDefinitionId}' as a child run and waits for it.")
        {
            Inputs = [.. Declared(child, "inputs").Select(name => new ActivityInput(name, "Object", $"Input '{name}' of workflow '{childDefinitionId}'."))],
            Outputs = [.. Declared(child, "outputs").Select(name => new ActivityOutput(name, "Object", $"Output '{name}' of workflow '{childDefinitionId}'."))],
            Outcomes = ActivityOutcomes.Fixed([.. Declared(child, "outcomes").Append(ActivityCatalog.DonePort).Distinct(StringComparer.Ordinal)]),
            WaitsFor = "child-run",
            Note = $"workflow '{childDefinitionId}' used as an activity: runs as a child run of this one",
        };
}
