using System.Text.Json;
using System.Text.Json.Nodes;
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

/// <summary>
/// What the hub knows about one activity type: whether it can start a workflow, its inputs that must
/// be set, its outcome ports (some depend on the activity's own inputs) and how well an Elsa import runs.
/// </summary>
public sealed record ActivityDescriptor(
    string Type,
    bool IsTrigger,
    IReadOnlyList<string> RequiredInputs,
    Func<ActivityNode, IReadOnlyList<string>> Outcomes,
    SupportLevel Support,
    string Note)
{
    /// <summary>Flowchart activities have one inbound port.</summary>
    public IReadOnlyList<string> InboundPorts { get; } = [ActivityCatalog.InPort];
}

/// <summary>The activity types the hub understands, with Elsa 3's type names and ports.</summary>
public static class ActivityCatalog
{
    public const string InPort = "In";
    public const string DonePort = "Done";

    private static readonly string[] Done = [DonePort];

    // Outcomes Elsa's FlowSendHttpRequest adds after one per expected status code.
    public static readonly IReadOnlyList<string> HttpRequestFailureOutcomes = ["Unmatched status code", "Failed to connect", "Timeout"];

    private static readonly Dictionary<string, ActivityDescriptor> Descriptors = new ActivityDescriptor[]
    {
        Simple("Elsa.Start", trigger: true),
        Simple("Elsa.End"),
        Simple("Elsa.Finish"),
        new("Elsa.HttpEndpoint", true, ["path"], _ => Done, SupportLevel.Supported, "trigger at /workflows/http/{path}"),
        Simple("Elsa.WriteHttpResponse"),
        new("Elsa.FlowSendHttpRequest", false, ["url"], SendHttpRequestOutcomes, SupportLevel.Supported, "one outcome per expected status code"),
        new("Elsa.FlowDecision", false, ["condition"], _ => ["True", "False"], SupportLevel.Supported, ""),
        new("Elsa.FlowSwitch", false, [], SwitchOutcomes, SupportLevel.Supported, "one outcome per case plus Default"),
        new("Elsa.FlowFork", false, [], a => ListInput(a, "branches"), SupportLevel.Supported, "one outcome per branch"),
        new("Elsa.FlowJoin", false, [], _ => Done, SupportLevel.Degraded,
            "WaitAll and WaitAny run; WaitAllActive and merge modes are approximated"),
        Simple("Elsa.Delay", required: ["timeSpan"]),
        Simple("Elsa.Timer", trigger: true, required: ["interval"]),
        Simple("Elsa.Cron", trigger: true, required: ["cronExpression"]),
        Simple("Elsa.Event", trigger: true, required: ["eventName"]),
        Simple("Elsa.PublishEvent", required: ["eventName"]),
        Simple("Elsa.SetVariable", required: ["variable", "value"]),
        new("Elsa.RunJavaScript", false, ["script"], a => [DonePort, .. ListInput(a, "possibleOutcomes")], SupportLevel.Supported,
            "sandboxed Jint: no CLR access"),
        Simple("Elsa.WriteLine"), // Elsa writes an empty line when text is null
        Simple("Hub.Document.Generate", required: ["template"]),
        Simple("Hub.ESign.SendForSignature", required: ["signers"]),
        new("Hub.ESign.WaitForSignature", false, ["signatureRequestId"], _ => ["Completed", "Declined", "Expired", "Canceled"],
            SupportLevel.Supported, "blocks until the signature request ends"),
        Simple("Hub.Email.Send", required: ["to", "subject"]),
    }.ToDictionary(d => d.Type, StringComparer.Ordinal);

    public static IReadOnlyCollection<ActivityDescriptor> All => Descriptors.Values;

    public static ActivityDescriptor? Find(string type) => Descriptors.GetValueOrDefault(type);

    private static ActivityDescriptor Simple(string type, bool trigger = false, string[]? required = null) =>
        new(type, trigger, required ?? [], _ => Done, SupportLevel.Supported, "");

    // Elsa's FlowSendHttpRequest completes with Done when it expects no status codes.
    private static IReadOnlyList<string> SendHttpRequestOutcomes(ActivityNode activity) =>
        ListInput(activity, "expectedStatusCodes").Select(code => code.Trim()).ToList() is { Count: > 0 } codes
            ? [.. codes, .. HttpRequestFailureOutcomes]
            : [DonePort, .. HttpRequestFailureOutcomes];

    private static IReadOnlyList<string> SwitchOutcomes(ActivityNode activity)
    {
        // Elsa writes FlowSwitch cases as a plain array of { label, condition }; accept an input too.
        var cases = activity.Raw["cases"] switch
        {
            JsonArray array => array,
            JsonObject input when input["expression"]?["value"] is { } value => AsArray(value),
            _ => null,
        };
        var labels = cases?.OfType<JsonObject>()
            .Select(c => c["label"] is JsonValue label && label.GetValueKind() == JsonValueKind.String ? label.GetValue<string>() : null)
            .OfType<string>() ?? [];
        return [.. labels, "Default"];
    }

    /// <summary>
    /// Reads a list-valued input written any of the ways Elsa exports do: a JSON array, JSON text of an
    /// array (Object expressions), comma-separated text, or a plain array property.
    /// </summary>
    public static IReadOnlyList<string> ListInput(ActivityNode activity, string input)
    {
        JsonNode? node;
        if (activity.Inputs.TryGetValue(input, out var value))
            node = JsonSerializer.SerializeToNode(value.Value);
        else if (activity.Raw[input] is JsonArray plain)
            node = plain; // written as a plain property, e.g. "branches": ["A", "B"]
        else
            return [];
        if (AsArray(node) is { } array)
            return [.. array.Select(item => item?.ToString()).Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s!)];
        if (node is JsonValue text && text.GetValueKind() == JsonValueKind.String)
            return [.. text.GetValue<string>().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        if (node is JsonValue number && number.GetValueKind() == JsonValueKind.Number)
            return [number.ToJsonString()];
        return [];
    }

    private static JsonArray? AsArray(JsonNode? node)
    {
        if (node is JsonArray array)
            return array;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().TrimStart().StartsWith('['))
        {
            try
            {
                return JsonNode.Parse(v.GetValue<string>(), documentOptions: new JsonDocumentOptions { MaxDepth = 64, AllowDuplicateProperties = false })
                    as JsonArray;
            }
            catch (JsonException)
            {
                return null;
            }
        }
        return null;
    }
}
