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
    private readonly Dictionary<string, FlowGraph> _graphs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FlowGraph> _graphOfActivity = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FlowGraph> _bodyOf = new(StringComparer.Ordinal);

    /// <summary>The id of the root flowchart's graph (nested ones are named by their flowchart's or body's id).</summary>
    public const string RootGraph = "$root";

    public Flowchart(WorkflowDefinition definition)
    {
        Definition = definition;
        var all = definition.AllActivities.ToList();
        _activities = all.GroupBy(a => a.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        AddGraph(new FlowGraph(RootGraph, null, definition.Activities, definition.Connections, FlowchartStart.Of(definition)));
        foreach (var nested in definition.Nested)
        {
            var graph = new FlowGraph(nested.Id, nested.OwnerId, nested.Activities, nested.Connections, FlowchartStart.Of(nested));
            AddGraph(graph);
            _bodyOf.TryAdd(nested.OwnerId, graph);
        }
        StartActivities = FlowchartStart.Of(definition) is { } start ? [start] : [];
        RetryPolicies = _activities.Values.ToDictionary(a => a.Id, ReadRetryPolicy, StringComparer.Ordinal);
        VariableNamesById = definition.Variables.Where(v => v.Id.Length > 0).GroupBy(v => v.Id, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Name, StringComparer.Ordinal);
        _bindings = _activities.Values.ToDictionary(a => a.Id, ReadBindings, StringComparer.Ordinal);
        InputNames = ReadInputNames(definition);
    }

    private void AddGraph(FlowGraph graph)
    {
        if (!_graphs.TryAdd(graph.Id, graph)) return;
        foreach (var activity in graph.Activities) _graphOfActivity.TryAdd(activity.Id, graph);
    }

    /// <summary>A flowchart of this definition by id (<see cref="RootGraph"/> for the root).</summary>
    public FlowGraph Graph(string id) => _graphs.GetValueOrDefault(id) ?? _graphs[RootGraph];

    /// <summary>The flowchart an activity sits in.</summary>
    public FlowGraph GraphOf(string activityId) => _graphOfActivity.GetValueOrDefault(activityId) ?? _graphs[RootGraph];

    /// <summary>The flowchart an activity runs (a nested Flowchart's own, a loop's body); null when it has none.</summary>
    public FlowGraph? BodyOf(string activityId) => _bodyOf.GetValueOrDefault(activityId);

    /// <summary>The names of the workflow's declared inputs (<c>inputs[].name</c>): scripts read each with <c>getName()</c>.</summary>
    public IReadOnlyList<string> InputNames { get; }

    private static IReadOnlyList<string> ReadInputNames(WorkflowDefinition definition) =>
        definition.Raw["inputs"] is JsonArray inputs
            ? [.. inputs.OfType<JsonObject>().Select(i => i["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : null)
                .OfType<string>().Where(n => n.Length > 0).Distinct(StringComparer.Ordinal)]
            : [];

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

    /// <summary>The activities a port of an activity leads to, in the flowchart it sits in.</summary>
    public IReadOnlyList<string> Targets(string source, string port) =>
        [.. GraphOf(source).Outbound(source).Where(c => c.SourcePort == port).Select(c => c.TargetActivity).Distinct(StringComparer.Ordinal)];

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
