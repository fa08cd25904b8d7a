using System.Text.Json;
using System.Text.Json.Nodes;

namespace ESign.Hub.Workflows.Definitions;

/// <summary>
/// The activity types this hub understands, built from the activities its modules registered: validation, the import
/// report, the trigger index and <c>GET /v1/activity-types</c> all read it. Nothing here names an activity.
/// </summary>
public sealed class ActivityCatalog
{
    public const string InPort = "In";
    public const string DonePort = "Done";

    private readonly Dictionary<string, ActivityDescriptor> _descriptors;

    public ActivityCatalog(IEnumerable<ActivityDescriptor> descriptors)
    {
        _descriptors = new Dictionary<string, ActivityDescriptor>(StringComparer.Ordinal);
        foreach (var descriptor in descriptors)
        {
            // Two modules claiming one type name would make definitions run whichever registered last.
            if (!_descriptors.TryAdd(descriptor.Type, descriptor))
                throw new InvalidOperationException($"Two activities are registered as '{descriptor.Type}'; each activity type name must be unique.");
        }
    }

    /// <summary>Every registered descriptor, ordered by type name.</summary>
    public IReadOnlyList<ActivityDescriptor> All => [.. _descriptors.Values.OrderBy(d => d.Type, StringComparer.Ordinal)];

    public ActivityDescriptor? Find(string type) => _descriptors.GetValueOrDefault(type);

    /// <summary>
    /// This catalog and descriptors known only to one account (its workflows used as activities); a registered type keeps
    /// its own descriptor.
    /// </summary>
    public ActivityCatalog With(IEnumerable<ActivityDescriptor> extra) =>
        new(_descriptors.Values.Concat(extra.Where(d => !_descriptors.ContainsKey(d.Type)).DistinctBy(d => d.Type)));

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

    /// <summary>A JSON array, or JSON text of one (how Object expressions hold lists); null otherwise.</summary>
    public static JsonArray? AsArray(JsonNode? node)
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
