using System.Text.Json;
using System.Text.Json.Nodes;

namespace ESign.Hub.Workflows.Definitions;

/// <summary>
/// Semantic checks the JSON Schema cannot express. Every problem names the activity it is about,
/// e.g. "activity 'send1' (Hub.ESign.SendForSignature): missing required input 'signers'".
/// </summary>
public static class WorkflowValidator
{
    public static IReadOnlyList<WorkflowProblem> Validate(WorkflowDefinition definition, ActivityCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(catalog);
        var problems = new List<WorkflowProblem>();
        var byId = new Dictionary<string, ActivityNode>(StringComparer.Ordinal);

        for (var i = 0; i < definition.Activities.Count; i++)
        {
            var activity = definition.Activities[i];
            var path = $"$.root.activities[{i}]";
            if (!byId.TryAdd(activity.Id, activity))
                problems.Add(new(path + ".id", $"{activity.Label}: duplicate activity id", activity.Id));

            if (catalog.Find(activity.Type) is not { } descriptor)
                continue; // Unknown types are kept and reported by ImportReport; their inputs are not ours to judge.
            foreach (var input in descriptor.RequiredInputs.Where(name => !HasValue(activity, name)))
                problems.Add(new($"{path}.{input}", $"{activity.Label}: missing required input '{input}'", activity.Id));
        }

        for (var i = 0; i < definition.Connections.Count; i++)
            CheckConnection(definition.Connections[i], $"$.root.connections[{i}]", byId, catalog, problems);

        CheckReachability(definition, byId, catalog, problems);
        return problems;
    }

    private static void CheckConnection(Connection c, string path, Dictionary<string, ActivityNode> byId, ActivityCatalog catalog,
        List<WorkflowProblem> problems)
    {
        var source = byId.GetValueOrDefault(c.SourceActivity);
        var target = byId.GetValueOrDefault(c.TargetActivity);
        if (source is null)
        {
            var about = target is null ? $"connection to '{c.TargetActivity}'" : target.Label;
            problems.Add(new(path, $"{about}: connection from unknown activity '{c.SourceActivity}'", target?.Id));
        }
        if (target is null)
        {
            var about = source is null ? $"connection from '{c.SourceActivity}'" : source.Label;
            problems.Add(new(path, $"{about}: connection to unknown activity '{c.TargetActivity}'", source?.Id));
        }

        if (source is not null && catalog.Find(source.Type) is { } sourceType)
        {
            var outcomes = sourceType.Outcomes.For(source);
            if (!outcomes.Contains(c.SourcePort, StringComparer.Ordinal))
                problems.Add(new(path, $"{source.Label}: unknown outcome port '{c.SourcePort}' (known: {string.Join(", ", outcomes)})", source.Id));
        }
        if (target is not null && catalog.Find(target.Type) is { } targetType
            && !targetType.InboundPorts.Contains(c.TargetPort, StringComparer.Ordinal))
        {
            problems.Add(new(path, $"{target.Label}: unknown inbound port '{c.TargetPort}'", target.Id));
        }
    }

    private static void CheckReachability(WorkflowDefinition definition, Dictionary<string, ActivityNode> byId, ActivityCatalog catalog,
        List<WorkflowProblem> problems)
    {
        if (definition.Activities.Count == 0)
            return;
        // Triggers start runs of their own; a run started without one begins where Elsa would (FlowchartStart).
        var starts = definition.Activities.Where(a => IsStart(a, catalog)).Select(a => a.Id).Append(FlowchartStart.Of(definition)!).Distinct().ToList();

        var next = definition.Connections.ToLookup(c => c.SourceActivity, c => c.TargetActivity, StringComparer.Ordinal);
        var reached = new HashSet<string>(starts, StringComparer.Ordinal);
        var queue = new Queue<string>(starts);
        while (queue.TryDequeue(out var id))
        {
            foreach (var target in next[id].Where(reached.Add))
                queue.Enqueue(target);
        }

        for (var i = 0; i < definition.Activities.Count; i++)
        {
            var activity = definition.Activities[i];
            if (!reached.Contains(activity.Id) && byId[activity.Id] == activity)
                problems.Add(new($"$.root.activities[{i}]", $"{activity.Label}: unreachable from any start", activity.Id));
        }
    }

    private static bool IsStart(ActivityNode activity, ActivityCatalog catalog) =>
        activity.CanStartWorkflow || catalog.Find(activity.Type)?.IsTrigger == true;

    private static bool HasValue(ActivityNode activity, string input)
    {
        if (activity.Inputs.TryGetValue(input, out var value))
        {
            return value.Value.ValueKind switch
            {
                JsonValueKind.Null or JsonValueKind.Undefined => false,
                JsonValueKind.String => value.Value.GetString()!.Length > 0,
                _ => true,
            };
        }
        // Some inputs are plain properties (SetVariable's variable reference, FlowSwitch cases).
        return activity.Raw[input] is { } raw && raw is not JsonObject { Count: 0 };
    }
}
