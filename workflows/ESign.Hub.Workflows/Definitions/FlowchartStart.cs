using System.Text.Json;
using System.Text.Json.Nodes;

namespace ESign.Hub.Workflows.Definitions;

/// <summary>
/// Where a flowchart begins when no trigger started it, by Elsa 3's rule (Flowchart.GetStartActivity): the activity named
/// by <c>root.start</c>, else the first <c>Elsa.Start</c>, else the first activity marked <c>canStartWorkflow</c>, else the
/// first activity with no inbound connection, else (every activity sits in a cycle) the first activity. Elsa schedules
/// exactly one: when several activities have no inbound connection, only the first in document order runs.
/// </summary>
public static class FlowchartStart
{
    public static string? Of(WorkflowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return Of(definition.Activities, definition.Connections, Named(definition.Raw["root"]));
    }

    /// <summary>Where a nested flowchart (an <c>Elsa.Flowchart</c> activity or a loop's body) begins: the same rule inside it.</summary>
    public static string? Of(NestedFlowchart flowchart)
    {
        ArgumentNullException.ThrowIfNull(flowchart);
        return Of(flowchart.Activities, flowchart.Connections, flowchart.NamedStart);
    }

    private static string? Of(IReadOnlyList<ActivityNode> activities, IReadOnlyList<Connection> connections, string? named)
    {
        if (named is not null && activities.Any(a => a.Id == named)) return named;
        if (activities.FirstOrDefault(a => a.Type == "Elsa.Start") is { } start) return start.Id;
        if (activities.FirstOrDefault(a => a.CanStartWorkflow) is { } marked) return marked.Id;
        var targets = connections.Select(c => c.TargetActivity).ToHashSet(StringComparer.Ordinal);
        return (activities.FirstOrDefault(a => !targets.Contains(a.Id)) ?? activities.FirstOrDefault())?.Id;
    }

    /// <summary>
    /// <c>start</c> of a flowchart: the id of the start activity in Elsa 3.0's export shape (<c>"start": "WriteLine1"</c>); later
    /// exports that nest the activity keep its id under <c>start.id</c>.
    /// </summary>
    public static string? Named(System.Text.Json.Nodes.JsonNode? flowchart) => flowchart?["start"] switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonObject o when o["id"] is JsonValue id && id.GetValueKind() == JsonValueKind.String => id.GetValue<string>(),
        _ => null,
    };
}
