using System.Text.Json;
using System.Text.Json.Nodes;

namespace ESign.Hub.Workflows.Definitions;

/// <summary>
/// Writes a definition back to Elsa 3's JSON shape. Starts from the raw JSON that was read and lays the
/// typed values over it, so unknown properties and unknown activity types come out as they went in.
/// Connections are always written in the current <c>{ source: { activity, port } }</c> shape.
/// </summary>
public static class WorkflowDefinitionWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Write(WorkflowDefinition definition) => ToJsonObject(definition).ToJsonString(Indented);

    public static JsonObject ToJsonObject(WorkflowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var doc = (JsonObject)definition.Raw.DeepClone();
        SetIfChanged(doc, "id", definition.Id);
        SetIfChanged(doc, "definitionId", definition.DefinitionId);
        SetIfChanged(doc, "name", definition.Name);
        SetIfChanged(doc, "description", definition.Description);
        if (doc["version"] is not null || definition.Version != 1)
            doc["version"] = definition.Version;

        if (doc["root"] is not JsonObject root)
            doc["root"] = root = new JsonObject { ["type"] = "Elsa.Flowchart", ["id"] = definition.RootId ?? "flowchart1" };
        root["activities"] = new JsonArray([.. definition.Activities.Select(ActivityJson)]);
        root["connections"] = new JsonArray([.. definition.Connections.Select(ConnectionJson)]);
        return doc;
    }

    private static JsonObject ActivityJson(ActivityNode activity)
    {
        var a = (JsonObject)activity.Raw.DeepClone();
        a["id"] = activity.Id;
        a["type"] = activity.Type;
        SetIfChanged(a, "name", activity.Name);
        if (a["version"] is not null || activity.Version != 1)
            a["version"] = activity.Version;

        // Written where and how it was read ("CanStartWorkflow": "True" stays so) unless its meaning changed.
        var written = WorkflowDefinitionReader.CanStartWorkflow(a, "$", []);
        if (written != activity.CanStartWorkflow && (written is not null || activity.CanStartWorkflow))
        {
            var custom = a["customProperties"] as JsonObject ?? [];
            a["customProperties"] = custom;
            custom[WorkflowDefinitionReader.FindKey(custom, "canStartWorkflow") ?? "canStartWorkflow"] = activity.CanStartWorkflow;
        }

        if (activity.Position is { } p && !SamePosition(a, p))
        {
            var metadata = a["metadata"] as JsonObject ?? [];
            var designer = metadata["designer"] as JsonObject ?? [];
            designer["position"] = new JsonObject { ["x"] = p.X, ["y"] = p.Y };
            metadata["designer"] = designer;
            a["metadata"] = metadata;
        }

        foreach (var (name, input) in activity.Inputs)
        {
            var target = a[name] as JsonObject ?? [];
            a[name] = target;
            // "System.Boolean, System.Private.CoreLib" read as "Boolean" is written back as it was.
            var typeName = target["typeName"] is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : null;
            if (typeName is null || ElsaTypeNames.Normalize(typeName) != input.TypeName)
                target["typeName"] = input.TypeName;
            var expression = target["expression"] as JsonObject ?? [];
            target["expression"] = expression;
            SetIfChanged(expression, "type", input.ExpressionType);
            var value = JsonSerializer.SerializeToNode(input.Value);
            var old = expression["value"];
            if (!JsonNode.DeepEquals(old, value) && !JsonNode.DeepEquals(WorkflowDefinitionReader.LiteralValue(input.TypeName, input.ExpressionType, old), value))
                expression["value"] = value;
        }
        return a;
    }

    private static JsonObject ConnectionJson(Connection c)
    {
        var o = c.Raw?["source"] is JsonObject ? (JsonObject)c.Raw.DeepClone() : [];
        o.Remove("sourcePort");
        o.Remove("targetPort");
        o["source"] = new JsonObject { ["activity"] = c.SourceActivity, ["port"] = c.SourcePort };
        o["target"] = new JsonObject { ["activity"] = c.TargetActivity, ["port"] = c.TargetPort };
        return o;
    }

    private static bool SamePosition(JsonObject activity, DesignerPosition p) =>
        activity["metadata"]?["designer"]?["position"] is JsonObject old
        && old["x"] is JsonValue x && x.TryGetValue<double>(out var ox) && ox == p.X
        && old["y"] is JsonValue y && y.TryGetValue<double>(out var oy) && oy == p.Y;

    private static void SetIfChanged(JsonObject o, string name, string? value)
    {
        var current = o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        if (current != value && (value is not null || o.ContainsKey(name)))
            o[name] = value;
    }
}
