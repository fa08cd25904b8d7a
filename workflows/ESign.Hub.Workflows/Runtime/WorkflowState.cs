using System.Text.Json;
using System.Text.Json.Serialization;
using ESign.Hub.Workflows.Expressions;

namespace ESign.Hub.Workflows.Runtime;

/// <summary>
/// Everything an instance needs to continue after a restart: variables, input, activity outputs, the activities
/// scheduled to run next, join arrivals and what it waits for. Serialized as JSON into the instance row at every
/// commit point; values are plain data (string, number, bool, null, Dictionary, List).
/// </summary>
public sealed class WorkflowState
{
    public Dictionary<string, object?> Variables { get; init; } = new(StringComparer.Ordinal);
    public Dictionary<string, object?> Input { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Outputs of executed activities: activity id → output name → value (the latest execution wins).</summary>
    public Dictionary<string, Dictionary<string, object?>> Outputs { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Activities to run, in order. Persisted, so a crash after a commit point resumes exactly here.</summary>
    public List<ScheduledActivity> Scheduled { get; init; } = [];

    /// <summary>
    /// Join activity id → source activities whose tokens had arrived, as runs stored before joins followed Elsa's visit counts
    /// wrote it; read once into the root scope's counts (<see cref="FlowScope"/>) so a run waiting at a join still joins.
    /// </summary>
    public Dictionary<string, List<string>> JoinArrivals { get; init; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The flowcharts running in this instance by scope id: the root (<see cref="FlowScope.Root"/>), and one per run of a nested
    /// flowchart or loop body, with Elsa's visit counts that decide joins and the body's own variables (CurrentValue …).
    /// </summary>
    public Dictionary<string, FlowScope> Scopes { get; init; } = new(StringComparer.Ordinal);

    /// <summary>What running container activities (loops, nested flowcharts) keep between passes, by <see cref="ContainerRun.KeyOf"/>.</summary>
    public Dictionary<string, ContainerRun> Containers { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Numbers scope ids.</summary>
    public int ScopeSequence { get; set; }

    /// <summary>
    /// The workflow's own outputs (Elsa's definition <c>outputs</c>) by output name, written by Elsa.SetOutput: what an API
    /// caller reads, and a parent that ran this workflow as a child (ExecuteWorkflow, DispatchWorkflow, a workflow used as
    /// an activity) when it ends.
    /// </summary>
    public Dictionary<string, object?> Output { get; init; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The outcomes the run completed with (Elsa.Complete); null when it completed without naming any. A workflow used as an
    /// activity continues through these ports of its parent, through Done when there are none.
    /// </summary>
    public List<string>? Outcomes { get; set; }

    /// <summary>The run's name, set by Elsa.SetName.</summary>
    public string? Name { get; set; }

    /// <summary>A correlation id set by Elsa.Correlate while running; the host stores it on the run at the next commit.</summary>
    public string? CorrelationId { get; set; }

    /// <summary>What the instance waits for; it is suspended while this is non-empty and nothing is scheduled.</summary>
    public List<Bookmark> Bookmarks { get; init; } = [];

    /// <summary>How many times each activity has started; part of side-effect idempotency keys.</summary>
    public Dictionary<string, int> Executions { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Failed attempts of the activity that is being retried, by activity id.</summary>
    public Dictionary<string, int> FailedAttempts { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Set when the instance faulted: the activity and error operators retry from.</summary>
    public WorkflowFault? Fault { get; set; }

    /// <summary>The response an Elsa.WriteHttpResponse wrote for the request that started (or resumed) the run.</summary>
    public HttpResponseSpec? HttpResponse { get; set; }

    /// <summary>
    /// The definition ids of the runs whose published events started this run and its ancestors, oldest first: what an
    /// event this run publishes must not start again (see <see cref="IEventPublishGuard"/>).
    /// </summary>
    public List<string> EventLineage { get; init; } = [];

    /// <summary>How many parent runs started this one as a child (0 for a run started otherwise): recursion stops at a limit.</summary>
    public int CallDepth { get; set; }

    /// <summary>Monotonic number of the next journal entry.</summary>
    public int JournalSequence { get; set; }

    public string ToJson() => JsonSerializer.Serialize(this, StateJson.Options);

    public static WorkflowState FromJson(string json) =>
        JsonSerializer.Deserialize<WorkflowState>(json, StateJson.Options) ?? throw new JsonException("workflow state is null");
}

/// <param name="From">The activity whose outcome scheduled this one (joins count arrivals by it).</param>
/// <param name="TriggerData">Set on the trigger that started the run (the HTTP request, the event payload): it passes the data on
/// instead of waiting.</param>
public sealed record ScheduledActivity(string ActivityId, string? From = null, Dictionary<string, object?>? TriggerData = null)
{
    /// <summary>Another attempt at an execution that failed: it keeps the execution's number, so its idempotency key.</summary>
    public bool IsRetry { get; init; }

    /// <summary>The flowchart run (scope id) the activity runs in; null for the root.</summary>
    public string? Scope { get; init; }

    /// <summary>Reached through a loop's back edge: as in Elsa, that visit does not count towards its outbound joins.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Backward { get; init; }
}

/// <summary>
/// One run of a flowchart: the root, a nested <c>Elsa.Flowchart</c>, or one iteration of a loop's body. Holds Elsa's visit
/// counts (how often each activity completed, each connection was visited and whether its last visit was followed), which
/// decide when an activity with several inbound connections runs, and the body's own variables.
/// </summary>
public sealed class FlowScope
{
    public const string Root = "root";

    /// <summary>The flowchart (<see cref="Flowchart.Graph"/>) this scope runs.</summary>
    public required string Graph { get; init; }

    /// <summary>The scope the owning activity runs in; null for the root.</summary>
    public string? Parent { get; init; }

    /// <summary>The container activity that opened the scope and continues when it completes; null for the root.</summary>
    public string? Owner { get; init; }

    /// <summary>Where this run of the flowchart began: the root of Elsa's forward graph.</summary>
    public string? Start { get; set; }

    /// <summary>Variables only this scope sees (CurrentValue, CurrentIndex of a loop's iteration); they hide workflow variables of the same name.</summary>
    public Dictionary<string, object?> Locals { get; init; } = new(StringComparer.Ordinal);

    public Dictionary<string, long> ActivityVisits { get; init; } = new(StringComparer.Ordinal);
    public Dictionary<string, long> ConnectionVisits { get; init; } = new(StringComparer.Ordinal);
    public Dictionary<string, bool> ConnectionFollowed { get; init; } = new(StringComparer.Ordinal);

    public static string KeyOf(Definitions.Connection c) => $"{c.SourceActivity}:{c.SourcePort}>{c.TargetActivity}:{c.TargetPort}";
}

/// <summary>What a running container activity (ForEach, ParallelForEach, While, a nested Flowchart, FlowNode) keeps between passes.</summary>
public sealed class ContainerRun
{
    /// <summary>The items a ForEach or ParallelForEach iterates, as evaluated when it started.</summary>
    public List<object?>? Items { get; set; }

    /// <summary>The index of the next item (ForEach) or the number of iterations so far (While).</summary>
    public int Next { get; set; }

    /// <summary>Bodies still running (ParallelForEach runs one per item at once).</summary>
    public int Open { get; set; }

    /// <summary>Set by Elsa.Break: the loop ends when its body does.</summary>
    public bool Breaking { get; set; }

    public static string KeyOf(string scope, string activityId) => $"{scope}/{activityId}";
}

/// <summary>
/// Something an activity waits for. <see cref="Name"/> says what (the activity chooses it: "event", "signature", "http",
/// a connector's own); <see cref="Key"/> says which one resumes it (the event name, the signature request id, the path);
/// <see cref="Payload"/> is what the activity wants back when it resumes. A bookmark with <see cref="DueAt"/> is a timer
/// the run wakes itself for; any other is resumed from outside the run by name and key, so the host indexes it.
/// </summary>
public sealed record Bookmark(string Id, string ActivityId, string Name, string? Key, DateTime? DueAt)
{
    /// <summary>A durable timer (Delay, Timer, Cron inside a flowchart).</summary>
    public const string Timer = "timer";
    /// <summary>A failed activity waiting for its next attempt.</summary>
    public const string Retry = "retry";

    public Dictionary<string, object?>? Payload { get; init; }

    /// <summary>The flowchart run (scope id) the waiting activity is in; null for the root.</summary>
    public string? Scope { get; init; }

    /// <summary>Resumed from outside the run (an event, a signature request, an HTTP request), so the host indexes it.</summary>
    [JsonIgnore]
    public bool IsExternal => DueAt is null;

    /// <summary>
    /// The name as runs stored before bookmarks were generic wrote it ("kind"); read so those runs resume after an upgrade.
    /// </summary>
    [JsonInclude, JsonPropertyName("kind")]
    private string? LegacyKind
    {
        get => null;
        init { if (value is not null && Name is null) Name = value; }
    }

    /// <summary>Time-ordered (UUID v7), so bookmarks sort by creation.</summary>
    public static string NewId() => "bm_" + Guid.CreateVersion7().ToString("N");
}

/// <summary>Why an instance faulted: the activity, its error and how many attempts were made.</summary>
public sealed record WorkflowFault(string ActivityId, string ActivityType, string Message, int Attempts)
{
    /// <summary>The flowchart run (scope id) of the faulted activity, where a retry runs it again; null for the root.</summary>
    public string? Scope { get; init; }
}

public sealed record HttpResponseSpec(int StatusCode, string? Content, string ContentType, Dictionary<string, string>? Headers);

/// <summary>One executed activity, as the run's journal shows it. Inputs and outputs have secrets redacted.</summary>
public sealed record JournalEntry(
    int Sequence,
    string ActivityId,
    string ActivityType,
    string? ActivityName,
    string Outcome,
    Dictionary<string, object?> Inputs,
    Dictionary<string, object?> Outputs,
    string? Error,
    int Attempt,
    DateTime StartedAt,
    DateTime FinishedAt);

/// <summary>JSON options for state and journal values: plain data in, plain data out.</summary>
public static class StateJson
{
    public static readonly JsonSerializerOptions Options = Create();

    /// <summary>Any value as plain data (what state, journal and expressions hold).</summary>
    public static object? Plain(object? value) => PlainValues.Normalize(value);

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { MaxDepth = 128 };
        options.Converters.Add(new PlainValueConverter());
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        return options;
    }

    /// <summary>Reads any JSON value into plain data (instead of JsonElement) and writes plain data back.</summary>
    private sealed class PlainValueConverter : JsonConverter<object>
    {
        public override bool HandleNull => false;

        public override object? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            return PlainValues.FromJson(document.RootElement);
        }

        public override void Write(Utf8JsonWriter writer, object value, JsonSerializerOptions options)
        {
            switch (PlainValues.Normalize(value))
            {
                case null: writer.WriteNullValue(); break;
                case string s: writer.WriteStringValue(s); break;
                case bool b: writer.WriteBooleanValue(b); break;
                case long l: writer.WriteNumberValue(l); break;
                case double d: writer.WriteNumberValue(d); break;
                case Dictionary<string, object?> map:
                    writer.WriteStartObject();
                    foreach (var (k, v) in map)
                    {
                        writer.WritePropertyName(k);
                        if (v is null) writer.WriteNullValue(); else Write(writer, v, options);
                    }
                    writer.WriteEndObject();
                    break;
                case List<object?> list:
                    writer.WriteStartArray();
                    foreach (var v in list)
                    {
                        if (v is null) writer.WriteNullValue(); else Write(writer, v, options);
                    }
                    writer.WriteEndArray();
                    break;
            }
        }
    }
}
