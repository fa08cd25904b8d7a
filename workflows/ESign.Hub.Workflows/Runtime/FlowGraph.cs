using ESign.Hub.Workflows.Definitions;

namespace ESign.Hub.Workflows.Runtime;

/// <summary>
/// One flowchart's activities and connections (the root, a nested <c>Elsa.Flowchart</c> or a loop's body), with what Elsa's
/// scheduling needs of it: outbound connections in document order, and, per start activity, which connections go forward
/// and which lead back (loops). Built once per definition version and shared by every run of it.
/// </summary>
public sealed class FlowGraph
{
    private readonly Dictionary<string, Connection[]> _outbound;
    private readonly Dictionary<string, ForwardGraph> _forward = new(StringComparer.Ordinal);

    public FlowGraph(string id, string? ownerId, IReadOnlyList<ActivityNode> activities, IReadOnlyList<Connection> connections, string? start)
    {
        (Id, OwnerId, Activities, Connections, Start) = (id, ownerId, activities, connections, start);
        _outbound = connections.GroupBy(c => c.SourceActivity, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Distinct().ToArray(), StringComparer.Ordinal);
    }

    public string Id { get; }

    /// <summary>The activity that runs this flowchart (a nested Flowchart, a loop); null for the root.</summary>
    public string? OwnerId { get; }

    public IReadOnlyList<ActivityNode> Activities { get; }
    public IReadOnlyList<Connection> Connections { get; }

    /// <summary>Where a run of this flowchart begins by Elsa's rule; null when it has no activities.</summary>
    public string? Start { get; }

    public IReadOnlyList<Connection> Outbound(string activityId) => _outbound.GetValueOrDefault(activityId) ?? [];

    /// <summary>The forward connections seen from <paramref name="root"/> (where this run of the flowchart began).</summary>
    public ForwardGraph Forward(string? root)
    {
        var key = root ?? "";
        lock (_forward)
        {
            if (_forward.TryGetValue(key, out var cached)) return cached;
            return _forward[key] = new ForwardGraph(Connections, root);
        }
    }
}

/// <summary>
/// Elsa's FlowGraph: walking breadth first from the start activity, a connection goes forward unless its target already
/// reaches its source (then it closes a loop, a backward connection). Joins count only forward inbound connections, so a
/// loop's back edge never makes its target wait for itself.
/// </summary>
public sealed class ForwardGraph
{
    private readonly HashSet<Connection> _forward;
    private readonly Dictionary<string, Connection[]> _inbound;
    private readonly Dictionary<string, HashSet<string>> _ancestors = new(StringComparer.Ordinal);

    public ForwardGraph(IReadOnlyList<Connection> connections, string? root)
    {
        _forward = root is null ? [] : ForwardConnections(connections, root);
        _inbound = _forward.GroupBy(c => c.TargetActivity, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
    }

    public bool IsForward(Connection connection) => _forward.Contains(connection);

    public IReadOnlyList<Connection> Inbound(string activityId) => _inbound.GetValueOrDefault(activityId) ?? [];

    /// <summary>Every activity from which <paramref name="activityId"/> is reached going forward: what a join cancels when it runs.</summary>
    public IReadOnlySet<string> Ancestors(string activityId)
    {
        lock (_ancestors)
        {
            if (_ancestors.TryGetValue(activityId, out var cached)) return cached;
            var found = new HashSet<string>(StringComparer.Ordinal);
            var queue = new Queue<string>([activityId]);
            while (queue.TryDequeue(out var id))
                foreach (var source in Inbound(id).Select(c => c.SourceActivity).Where(found.Add))
                    queue.Enqueue(source);
            return _ancestors[activityId] = found;
        }
    }

    private static HashSet<Connection> ForwardConnections(IReadOnlyList<Connection> connections, string root)
    {
        var adjacency = connections.GroupBy(c => c.SourceActivity, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(c => c.TargetActivity).Distinct(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        var valid = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var visitedEdges = new HashSet<(string, string)>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>([root]);
        while (queue.TryDequeue(out var source))
        {
            visited.Add(source);
            if (!adjacency.TryGetValue(source, out var targets)) continue;
            foreach (var target in targets)
            {
                if (visitedEdges.Contains((source, target)) || Reaches(valid, target, source)) continue;
                visitedEdges.Add((source, target));
                if (!valid.TryGetValue(source, out var list)) valid[source] = list = [];
                list.Add(target);
                if (!visited.Contains(target)) queue.Enqueue(target);
            }
        }
        return [.. connections.Where(c => visitedEdges.Contains((c.SourceActivity, c.TargetActivity)))];
    }

    private static bool Reaches(Dictionary<string, List<string>> edges, string from, string to)
    {
        if (from == to) return true;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>([from]);
        while (stack.TryPop(out var current))
        {
            if (current == to) return true;
            if (!seen.Add(current) || !edges.TryGetValue(current, out var next)) continue;
            foreach (var n in next.Where(n => !seen.Contains(n))) stack.Push(n);
        }
        return false;
    }
}
