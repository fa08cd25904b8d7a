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
        // Ids are unique across the whole definition, nested flowcharts included: journals, bookmarks and outputs name activities by id.
        var allIds = new HashSet<string>(StringComparer.Ordinal);
        // Triggers start runs of their own; a run started without one begins where Elsa would (FlowchartStart).
        var rootStarts = definition.Activities.Where(a => IsStart(a, catalog)).Select(a => a.Id);
        CheckFlowchart(definition.Activities, definition.Connections, "$.root", [.. rootStarts, FlowchartStart.Of(definition)], allIds, catalog, problems);
        foreach (var nested in definition.Nested)
            CheckFlowchart(nested.Activities, nested.Connections, nested.Path, [FlowchartStart.Of(nested)], allIds, catalog, problems);
        return problems;
    }

    private static void CheckFlowchart(IReadOnlyList<ActivityNode> activities, IReadOnlyList<Connection> connections, string path, IReadOnlyList<string?> starts,
        HashSet<string> allIds, ActivityCatalog catalog, List<WorkflowProblem> problems)
    {
        var byId = new Dictionary<string, ActivityNode>(StringComparer.Ordinal);
        for (var i = 0; i < activities.Count; i++)
        {
            var activity = activities[i];
            var activityPath = $"{path}.activities[{i}]";
            byId.TryAdd(activity.Id, activity);
            if (!allIds.Add(activity.Id))
                problems.Add(new(activityPath + ".id", $"{activity.Label}: duplicate activity id", activity.Id));

            if (catalog.Find(activity.Type) is not { } descriptor)
                continue; // Unknown types are kept and reported by ImportReport; their inputs are not ours to judge.
            foreach (var input in descriptor.RequiredInputs.Where(name => !HasValue(activity, name)))
                problems.Add(new($"{activityPath}.{input}", $"{activity.Label}: missing required input '{input}'", activity.Id));
        }

        for (var i = 0; i < connections.Count; i++)
            CheckConnection(connections[i], $"{path}.connections[{i}]", byId, catalog, problems);

        CheckReachability(activities, connections, path, [.. starts.OfType<string>().Distinct()], byId, problems);
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

    private static void CheckReachability(IReadOnlyList<ActivityNode> activities, IReadOnlyList<Connection> connections, string path, List<string> starts,
        Dictionary<string, ActivityNode> byId, List<WorkflowProblem> problems)
    {
        if (activities.Count == 0)
            return;
        var next = connections.ToLookup(c => c.SourceActivity, c => c.TargetActivity, StringComparer.Ordinal);
        var reached = new HashSet<string>(starts, StringComparer.Ordinal);
        var queue = new Queue<string>(starts);
        while (queue.TryDequeue(out var id))
        {
            foreach (var target in next[id].Where(reached.Add))
                queue.Enqueue(target);
        }

        for (var i = 0; i < activities.Count; i++)
        {
            var activity = activities[i];
            if (!reached.Contains(activity.Id) && byId[activity.Id] == activity)
                problems.Add(new($"{path}.activities[{i}]", $"{activity.Label}: unreachable from any start", activity.Id));
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
