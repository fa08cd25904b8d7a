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
        var activities = definition.Activities;
        if (Named(definition) is { } named && activities.Any(a => a.Id == named)) return named;
        if (activities.FirstOrDefault(a => a.Type == "Elsa.Start") is { } start) return start.Id;
        if (activities.FirstOrDefault(a => a.CanStartWorkflow) is { } marked) return marked.Id;
        var targets = definition.Connections.Select(c => c.TargetActivity).ToHashSet(StringComparer.Ordinal);
        return (activities.FirstOrDefault(a => !targets.Contains(a.Id)) ?? activities.FirstOrDefault())?.Id;
    }

    /// <summary>
    /// <c>root.start</c>: the id of the start activity in Elsa 3.0's export shape (<c>"start": "WriteLine1"</c>); later
    /// exports that nest the activity keep its id under <c>start.id</c>.
    /// </summary>
    private static string? Named(WorkflowDefinition definition) => definition.Raw["root"]?["start"] switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonObject o when o["id"] is JsonValue id && id.GetValueKind() == JsonValueKind.String => id.GetValue<string>(),
        _ => null,
    };
}
