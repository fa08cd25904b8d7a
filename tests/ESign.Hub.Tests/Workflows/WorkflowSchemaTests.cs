using System.Text.Json;
using System.Text.Json.Nodes;
using ESign.Hub.Workflows.Definitions;

namespace ESign.Hub.Tests.Workflows;

public class WorkflowSchemaTests
{
    private static readonly JsonObject Schema = JsonNode.Parse(WorkflowSchema.Json)!.AsObject();

    [Fact]
    public void Schema_is_draft_2020_12_with_flowchart_root()
    {
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", (string?)Schema["$schema"]);
        Assert.Equal(WorkflowSchema.Id, (string?)Schema["$id"]);
        Assert.Equal("Elsa.Flowchart", (string?)Schema["$defs"]!["flowchart"]!["properties"]!["type"]!["const"]);
    }

    [Fact]
    public void Elsa_export_conforms_to_the_schema()
    {
        var errors = new List<string>();
        Check(JsonNode.Parse(ElsaSamples.HttpApproval), Schema, "$", errors);

        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("""{ "root": { "type": "Elsa.Sequence", "activities": [], "connections": [] } }""", "$.root.type")]
    [InlineData("""{ "root": { "type": "Elsa.Flowchart", "activities": [ { "type": "Elsa.End" } ], "connections": [] } }""", "$.root.activities[0]")]
    [InlineData("""{ "root": { "type": "Elsa.Flowchart", "activities": [], "connections": [ { "source": 5, "target": "b" } ] } }""", "$.root.connections[0]")]
    [InlineData("""{ "root": { "type": "Elsa.Flowchart", "activities": [ { "id": "a", "type": "Elsa.End", "x": { "expression": { "value": 1 } } } ], "connections": [] } }""", "$.root.activities[0].x")]
    public void Wrong_shapes_fail_the_schema(string json, string path)
    {
        var errors = new List<string>();
        Check(JsonNode.Parse(json), Schema, "$", errors);

        Assert.Contains(errors, e => e.StartsWith(path, StringComparison.Ordinal));
    }

    // A small hand validator for the keywords the schema uses; enough to check its structure holds.
    private static void Check(JsonNode? value, JsonNode? schemaNode, string path, List<string> errors)
    {
        if (schemaNode is not JsonObject schema)
            return;
        if (schema["$ref"] is JsonValue reference)
        {
            var name = reference.GetValue<string>()["#/$defs/".Length..];
            Check(value, Schema["$defs"]![name], path, errors);
        }
        if (schema["const"] is { } constant && !JsonNode.DeepEquals(constant, value))
            errors.Add($"{path}: must be {constant.ToJsonString()}");
        if (schema["type"] is { } type)
        {
            var allowed = type is JsonArray list ? list.Select(t => t!.GetValue<string>()).ToList() : [type.GetValue<string>()];
            if (!allowed.Any(t => IsType(value, t)))
                errors.Add($"{path}: must be {string.Join(" or ", allowed)}");
        }
        if (schema["minLength"] is { } minLength && value is JsonValue s && s.GetValueKind() == JsonValueKind.String && s.GetValue<string>().Length < (int)minLength)
            errors.Add($"{path}: too short");
        if (schema["oneOf"] is JsonArray oneOf && oneOf.Count(o => Passes(value, o, path)) != 1)
            errors.Add($"{path}: must match exactly one of oneOf");
        if (schema["anyOf"] is JsonArray anyOf && !anyOf.Any(o => Passes(value, o, path)))
            errors.Add($"{path}: must match anyOf");
        if (schema["not"] is { } not && Passes(value, not, path))
            errors.Add($"{path}: must not match");
        if (value is JsonObject obj)
        {
            foreach (var required in schema["required"]?.AsArray() ?? [])
            {
                if (!obj.ContainsKey(required!.GetValue<string>()))
                    errors.Add($"{path}: missing '{required}'");
            }
            var properties = schema["properties"] as JsonObject;
            foreach (var (name, child) in obj)
            {
                if (properties?[name] is { } propertySchema)
                    Check(child, propertySchema, $"{path}.{name}", errors);
                else if (properties?.ContainsKey(name) != true && schema["additionalProperties"] is { } additional)
                    Check(child, additional, $"{path}.{name}", errors);
            }
        }
        if (value is JsonArray array && schema["items"] is { } items)
        {
            for (var i = 0; i < array.Count; i++)
                Check(array[i], items, $"{path}[{i}]", errors);
        }
    }

    private static bool Passes(JsonNode? value, JsonNode? schema, string path)
    {
        var errors = new List<string>();
        Check(value, schema, path, errors);
        return errors.Count == 0;
    }

    private static bool IsType(JsonNode? value, string type) => (type, value) switch
    {
        ("null", null) => true,
        ("object", JsonObject) => true,
        ("array", JsonArray) => true,
        ("string", JsonValue v) => v.GetValueKind() == JsonValueKind.String,
        ("boolean", JsonValue v) => v.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        ("number", JsonValue v) => v.GetValueKind() == JsonValueKind.Number,
        ("integer", JsonValue v) => v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out _),
        _ => false,
    };
}
