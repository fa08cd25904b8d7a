using System.Text.Json.Serialization;

namespace ESign.Hub.Workflows.Definitions;

/// <summary>How far an imported piece of an Elsa definition runs on the hub.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SupportLevel>))]
public enum SupportLevel
{
    [JsonStringEnumMemberName("supported")] Supported,
    [JsonStringEnumMemberName("degraded")] Degraded,
    [JsonStringEnumMemberName("unsupported")] Unsupported,
}

/// <summary>How a designer shows an input's editor.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<InputUiHint>))]
public enum InputUiHint
{
    [JsonStringEnumMemberName("single_line")] SingleLine,
    [JsonStringEnumMemberName("multi_line")] MultiLine,
    [JsonStringEnumMemberName("code")] Code,
    [JsonStringEnumMemberName("dropdown")] Dropdown,
    [JsonStringEnumMemberName("checkbox")] Checkbox,
    [JsonStringEnumMemberName("json")] Json,
}

/// <summary>
/// One input of an activity type. <see cref="Type"/> is the Elsa type name the designer writes as <c>typeName</c>
/// (String, Boolean, Int32, Object, String[] …); <see cref="Options"/> are the choices of a dropdown.
/// </summary>
public sealed record ActivityInput(string Name, string Type, string Description)
{
    public bool Required { get; init; }
    public object? Default { get; init; }
    public InputUiHint UiHint { get; init; } = InputUiHint.SingleLine;
    public IReadOnlyList<string>? Options { get; init; }
}

/// <summary>One output an activity sets, readable by later activities (<c>getOutput</c>) and shown in the journal.</summary>
public sealed record ActivityOutput(string Name, string Type, string Description);

/// <summary>
/// The outcome ports of an activity type: a fixed list, or computed from the activity's own inputs (one port per
/// expected status code, per case, per branch). <see cref="ComputedFrom"/> names those inputs, so a designer knows to
/// ask again when they change; <see cref="Ports"/> are the ports that exist whatever the inputs say.
/// </summary>
public sealed class ActivityOutcomes
{
    private readonly Func<ActivityNode, IReadOnlyList<string>>? _compute;

    private ActivityOutcomes(IReadOnlyList<string> ports, IReadOnlyList<string> computedFrom, string? description,
        Func<ActivityNode, IReadOnlyList<string>>? compute) =>
        (Ports, ComputedFrom, Description, _compute) = (ports, computedFrom, description, compute);

    public IReadOnlyList<string> Ports { get; }
    public IReadOnlyList<string> ComputedFrom { get; }
    public string? Description { get; }
    public bool IsComputed => _compute is not null;

    /// <summary>The ports of one activity of this type, as its inputs make them.</summary>
    public IReadOnlyList<string> For(ActivityNode activity) => _compute is null ? Ports : _compute(activity);

    public static ActivityOutcomes Fixed(params IReadOnlyList<string> ports) => new(ports, [], null, null);

    /// <summary>No outcome port: the activity ends the workflow.</summary>
    public static readonly ActivityOutcomes None = Fixed();

    public static readonly ActivityOutcomes Done = Fixed(ActivityCatalog.DonePort);

    /// <param name="computedFrom">The inputs the ports depend on.</param>
    /// <param name="always">Ports that exist whatever the inputs say (Default, Unmatched status code).</param>
    public static ActivityOutcomes Computed(IReadOnlyList<string> computedFrom, string description, Func<ActivityNode, IReadOnlyList<string>> compute,
        params IReadOnlyList<string> always) => new(always, computedFrom, description, compute);
}

/// <summary>
/// How the host indexes a trigger activity when its workflow is published: under <see cref="Kind"/> (http, event,
/// timer, cron) with the value of the input <see cref="KeyInput"/> (the path, the event name, the interval, the schedule).
/// </summary>
public sealed record ActivityTrigger(string Kind, string KeyInput)
{
    public const string Http = "http";
    public const string Event = "event";
    public const string Timer = "timer";
    public const string Cron = "cron";
}

/// <summary>
/// What the hub knows about one activity type, declared by the activity class itself: its Elsa type name, where a
/// designer's palette files it, its inputs, outputs and outcome ports, whether it can start a workflow, what it waits
/// for when it blocks, and how well an Elsa import of it runs here.
/// </summary>
public sealed record ActivityDescriptor(string Type, string Category, string DisplayName, string Description)
{
    public IReadOnlyList<ActivityInput> Inputs { get; init; } = [];
    public IReadOnlyList<ActivityOutput> Outputs { get; init; } = [];
    public ActivityOutcomes Outcomes { get; init; } = ActivityOutcomes.Done;

    /// <summary>True when the activity can start a workflow (Elsa.Start, or a trigger the host indexes through <see cref="Trigger"/>).</summary>
    public bool IsTrigger { get; init; }

    /// <summary>How the host indexes the trigger when a workflow is published; null for activities that start nothing.</summary>
    public ActivityTrigger? Trigger { get; init; }

    /// <summary>The bookmark name the activity waits on when it blocks (a signature, an event, a request); null if it never waits.</summary>
    public string? WaitsFor { get; init; }

    public SupportLevel Support { get; init; } = SupportLevel.Supported;

    /// <summary>What an import report says about an activity of this type (what is approximated, what is sandboxed).</summary>
    public string Note { get; init; } = "";

    /// <summary>When how well an activity runs depends on its inputs (a join's mode): its support level and note; else null.</summary>
    [JsonIgnore]
    public Func<ActivityNode, (SupportLevel Support, string Note)?>? SupportOf { get; init; }

    /// <summary>Flowchart activities have one inbound port.</summary>
    public IReadOnlyList<string> InboundPorts { get; } = [ActivityCatalog.InPort];

    public IEnumerable<string> RequiredInputs => Inputs.Where(i => i.Required).Select(i => i.Name);
}
