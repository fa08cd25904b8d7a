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

    /// <summary>Join activity id → ids of the source activities whose tokens have arrived since it last fired.</summary>
    public Dictionary<string, List<string>> JoinArrivals { get; init; } = new(StringComparer.Ordinal);

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

    /// <summary>
    /// The workflow's own outputs (Elsa's definition <c>outputs</c>) by output name: Elsa.SetOutput writes them, and a parent
    /// that ran this workflow as a child (Elsa.ExecuteWorkflow, Elsa.DispatchWorkflow, a workflow used as an activity) reads
    /// them when it ends.
    /// </summary>
    public Dictionary<string, object?> WorkflowOutputs { get; init; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The outcomes the workflow completed with (Elsa.Complete's <c>outcomes</c>); a workflow used as an activity continues
    /// through these ports of its parent, through Done when there are none.
    /// </summary>
    public List<string> CompletionOutcomes { get; init; } = [];

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
public sealed record WorkflowFault(string ActivityId, string ActivityType, string Message, int Attempts);

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
