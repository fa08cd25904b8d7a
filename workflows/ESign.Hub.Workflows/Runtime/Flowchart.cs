using System.Text.Json;
using System.Text.Json.Nodes;
using ESign.Hub.Workflows.Definitions;

namespace ESign.Hub.Workflows.Runtime;

/// <summary>
/// A definition prepared for running: activities by id, edges by source and port, the sources that feed each join
/// and the default start activities. Built once per definition version and shared by every instance of it.
/// </summary>
public sealed class Flowchart
{
    private readonly Dictionary<string, ActivityNode> _activities;
    private readonly Dictionary<(string Source, string Port), string[]> _targets;
    private readonly Dictionary<string, string[]> _joinSources;
    private readonly Dictionary<string, HashSet<string>> _feedersOfJoin = new(StringComparer.Ordinal);

    public Flowchart(WorkflowDefinition definition)
    {
        Definition = definition;
        _activities = definition.Activities.GroupBy(a => a.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        _targets = definition.Connections
            .GroupBy(c => (c.SourceActivity, c.SourcePort))
            .ToDictionary(g => g.Key, g => g.Select(c => c.TargetActivity).Distinct(StringComparer.Ordinal).ToArray());
        _joinSources = definition.Activities.Where(a => a.Type == "Elsa.FlowJoin")
            .ToDictionary(a => a.Id, a => definition.Connections.Where(c => c.TargetActivity == a.Id).Select(c => c.SourceActivity)
                .Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        StartActivities = FindStarts(definition);
        RetryPolicies = definition.Activities.ToDictionary(a => a.Id, ReadRetryPolicy, StringComparer.Ordinal);
    }

    public WorkflowDefinition Definition { get; }

    /// <summary>Where a run without a trigger begins: Elsa.Start, else activities marked canStartWorkflow, else those without inbound edges.</summary>
    public IReadOnlyList<string> StartActivities { get; }

    /// <summary>Retry policies written on activities (<c>customProperties.retryPolicy</c>); null where the activity's default applies.</summary>
    public IReadOnlyDictionary<string, RetryPolicy?> RetryPolicies { get; }

    public ActivityNode? Find(string id) => _activities.GetValueOrDefault(id);

    public IReadOnlyList<string> Targets(string source, string port) => _targets.GetValueOrDefault((source, port)) ?? [];

    public IReadOnlyList<string> JoinSources(string joinId) => _joinSources.GetValueOrDefault(joinId) ?? [];

    /// <summary>Every activity from which the join can be reached: the branches a WaitAny join cancels when it fires.</summary>
    public IReadOnlySet<string> FeedersOf(string joinId)
    {
        lock (_feedersOfJoin)
        {
            if (_feedersOfJoin.TryGetValue(joinId, out var cached)) return cached;
            var reverse = Definition.Connections.ToLookup(c => c.TargetActivity, c => c.SourceActivity, StringComparer.Ordinal);
            var found = new HashSet<string>(StringComparer.Ordinal);
            var queue = new Queue<string>([joinId]);
            while (queue.TryDequeue(out var id))
                foreach (var source in reverse[id].Where(s => s != joinId && found.Add(s)))
                    queue.Enqueue(source);
            return _feedersOfJoin[joinId] = found;
        }
    }

    private static IReadOnlyList<string> FindStarts(WorkflowDefinition definition)
    {
        var start = definition.Activities.Where(a => a.Type == "Elsa.Start").Select(a => a.Id).ToList();
        if (start.Count > 0) return start;
        var marked = definition.Activities.Where(a => a.CanStartWorkflow).Select(a => a.Id).ToList();
        if (marked.Count > 0) return marked;
        var targets = definition.Connections.Select(c => c.TargetActivity).ToHashSet(StringComparer.Ordinal);
        return definition.Activities.Where(a => !targets.Contains(a.Id)).Select(a => a.Id).Take(1).ToList();
    }

    // { "maxAttempts": 5, "initialDelay": "00:00:02" or 2 (seconds), "backoffCoefficient": 2, "maxDelay": "00:05:00" }
    private static RetryPolicy? ReadRetryPolicy(ActivityNode activity)
    {
        if (activity.Raw["customProperties"]?["retryPolicy"] is not JsonObject policy) return null;
        var attempts = policy["maxAttempts"] is JsonValue a && a.TryGetValue<int>(out var n) ? Math.Clamp(n, 1, 20) : RetryPolicy.External.MaxAttempts;
        var initial = Duration(policy["initialDelay"]) ?? RetryPolicy.External.InitialDelay;
        var coefficient = policy["backoffCoefficient"] is JsonValue c && c.TryGetValue<double>(out var x) ? Math.Clamp(x, 1, 10) : 2;
        var max = Duration(policy["maxDelay"]) ?? TimeSpan.FromHours(1);
        return new RetryPolicy(attempts, Clamp(initial), coefficient, Clamp(max));

        static TimeSpan Clamp(TimeSpan t) => t < TimeSpan.Zero ? TimeSpan.Zero : t > TimeSpan.FromDays(1) ? TimeSpan.FromDays(1) : t;
    }

    /// <summary>A duration as Elsa writes it ("00:00:05", "1.00:00:00"), ISO 8601 ("PT5S") or a number of seconds.</summary>
    public static TimeSpan? Duration(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => Durations.FromSeconds(v.GetValue<double>()),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => Durations.Parse(v.GetValue<string>()),
        _ => null,
    };
}

/// <summary>
/// Parses durations written the ways Elsa definitions do: "hh:mm:ss" or "d.hh:mm:ss", ISO 8601 ("PT5M"), or a number of
/// seconds (also as text: "30" is 30 seconds, not the 30 days TimeSpan would read). Anything beyond <see cref="Longest"/>
/// is not a duration.
/// </summary>
public static class Durations
{
    public static readonly TimeSpan Longest = TimeSpan.FromDays(3650);

    public static TimeSpan? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        text = text.Trim();
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
            return FromSeconds(seconds);
        if (TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var span)) return Bounded(span);
        if (!text.StartsWith('P')) return null;
        try
        {
            return Bounded(System.Xml.XmlConvert.ToTimeSpan(text));
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            return null;
        }
    }

    public static TimeSpan? FromSeconds(double seconds) =>
        double.IsFinite(seconds) && Math.Abs(seconds) <= Longest.TotalSeconds ? TimeSpan.FromSeconds(seconds) : null;

    public static TimeSpan? From(object? value) => value switch
    {
        null => null,
        long l => FromSeconds(l),
        double d => FromSeconds(d),
        string s => Parse(s),
        _ => null,
    };

    private static TimeSpan? Bounded(TimeSpan span) => span.Duration() <= Longest ? span : null;
}
