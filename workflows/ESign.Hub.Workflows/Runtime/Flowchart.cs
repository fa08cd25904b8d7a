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
        StartActivities = FlowchartStart.Of(definition) is { } start ? [start] : [];
        RetryPolicies = definition.Activities.ToDictionary(a => a.Id, ReadRetryPolicy, StringComparer.Ordinal);
        VariableNamesById = definition.Variables.Where(v => v.Id.Length > 0).GroupBy(v => v.Id, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Name, StringComparer.Ordinal);
        _bindings = definition.Activities.GroupBy(a => a.Id, StringComparer.Ordinal).Select(g => g.First())
            .ToDictionary(a => a.Id, ReadBindings, StringComparer.Ordinal);
    }

    private readonly Dictionary<string, Dictionary<string, string>> _bindings;

    /// <summary>Declared variables' names by their ids: Elsa refers to variables by id, the hub keeps their values by name.</summary>
    public IReadOnlyDictionary<string, string> VariableNamesById { get; }

    /// <summary>
    /// The workflow variable an activity property is bound to, or null. Elsa writes a binding as
    /// <c>"parsedContent": { "typeName": "Object", "memoryReference": { "id": "&lt;variable id&gt;" } }</c> with no expression:
    /// an output so bound is also written into the variable, and an input so bound reads the variable.
    /// </summary>
    public string? BoundVariable(string activityId, string property) =>
        _bindings.TryGetValue(activityId, out var bound) ? bound.GetValueOrDefault(property) : null;

    private Dictionary<string, string> ReadBindings(ActivityNode activity)
    {
        var bound = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (property, value) in activity.Raw)
        {
            // A property with an expression is an input whose memoryReference is only its own memory slot (Elsa 3.0 exports).
            if (value is not JsonObject o || o.ContainsKey("expression")) continue;
            if (o["memoryReference"]?["id"] is not JsonValue id || id.GetValueKind() != JsonValueKind.String) continue;
            if (VariableName(id.GetValue<string>()) is { } name) bound[property] = name;
        }
        return bound;
    }

    /// <summary>A declared variable by id, else by name; null when the reference names neither (a dangling memory slot).</summary>
    public string? VariableName(string reference) =>
        VariableNamesById.TryGetValue(reference, out var name) ? name
        : Definition.Variables.Any(v => v.Name == reference) ? reference
        : null;

    public WorkflowDefinition Definition { get; }

    /// <summary>Where a run without a trigger begins, by Elsa's rule (<see cref="FlowchartStart"/>): one activity, none when the flowchart is empty.</summary>
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
