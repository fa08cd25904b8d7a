using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ESign.Hub.Workflows.Expressions;

namespace ESign.Hub.Workflows.Definitions;

/// <summary>The outcome of reading a definition: the definition, or the problems that prevented it.</summary>
public sealed record WorkflowReadResult(WorkflowDefinition? Definition, IReadOnlyList<WorkflowProblem> Problems)
{
    public bool Succeeded => Definition is not null;
}

/// <summary>
/// Reads Elsa-3-shaped workflow definition JSON. Never throws on bad input: size, depth, syntax and
/// shape errors come back as problems with a JSON path.
/// </summary>
public static class WorkflowDefinitionReader
{
    public const int MaxBytes = 1024 * 1024;
    public const int MaxDepth = 64;

    // Activity properties that are structure, not inputs.
    private static readonly HashSet<string> StructuralProperties =
        ["id", "nodeId", "type", "name", "version", "customProperties", "metadata"];

    public static WorkflowReadResult Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (Encoding.UTF8.GetByteCount(json) > MaxBytes)
            return Fail("$", $"definition is larger than {MaxBytes} bytes");

        JsonNode? document;
        try
        {
            // Values that parse but cannot be held (1e400, lone surrogates) are found before anything reads them.
            using (var check = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth }))
            {
                if (UntrustedJson.FindProblem(check.RootElement) is { } bad) return Fail(bad.Path, bad.Message);
            }
            // Duplicate property names would otherwise throw later, on first access to the object that has them.
            document = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = MaxDepth, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            return Fail("$", $"not valid JSON: {e.Message}");
        }

        if (document is not JsonObject rootObject)
            return Fail("$", "definition must be a JSON object");

        var problems = new List<WorkflowProblem>();
        var definition = ReadDefinition(rootObject, problems);
        return problems.Count == 0 ? new(definition, problems) : new(null, problems);
    }

    private static WorkflowReadResult Fail(string path, string message) => new(null, [new(path, message)]);

    private static WorkflowDefinition ReadDefinition(JsonObject doc, List<WorkflowProblem> problems)
    {
        var variables = new List<WorkflowVariable>();
        if (OptionalArray(doc, "variables", "$", problems) is { } variablesArray)
        {
            for (var i = 0; i < variablesArray.Count; i++)
            {
                var path = $"$.variables[{i}]";
                if (variablesArray[i] is not JsonObject v)
                {
                    problems.Add(new(path, "variable must be an object"));
                    continue;
                }
                var name = RequiredString(v, "name", path, problems);
                variables.Add(new(
                    OptionalString(v, "id", path, problems) ?? name ?? "",
                    name ?? "",
                    OptionalString(v, "typeName", path, problems) ?? "Object",
                    OptionalBool(v, "isArray", path, problems) ?? false,
                    v["value"] is { } value ? ToElement(value) : null));
            }
        }

        var definition = new WorkflowDefinition
        {
            Id = OptionalString(doc, "id", "$", problems),
            DefinitionId = DefinitionIdOf(doc, problems),
            Name = OptionalString(doc, "name", "$", problems),
            Description = OptionalString(doc, "description", "$", problems),
            Version = OptionalInt(doc, "version", "$", problems) ?? 1,
            Variables = variables,
            Raw = doc,
        };

        if (doc["root"] is not JsonObject root)
        {
            problems.Add(new("$.root", "root must be an object with type 'Elsa.Flowchart'"));
            return definition;
        }
        var rootType = OptionalString(root, "type", "$.root", problems);
        if (rootType != "Elsa.Flowchart")
        {
            problems.Add(new("$.root.type", $"root type must be 'Elsa.Flowchart', not '{rootType}'"));
            return definition;
        }

        var activities = new List<ActivityNode>();
        if (OptionalArray(root, "activities", "$.root", problems) is { } activityArray)
        {
            for (var i = 0; i < activityArray.Count; i++)
            {
                if (ReadActivity(activityArray[i], $"$.root.activities[{i}]", problems) is { } activity)
                    activities.Add(activity);
            }
        }

        var connections = new List<Connection>();
        if (OptionalArray(root, "connections", "$.root", problems) is { } connectionArray)
        {
            for (var i = 0; i < connectionArray.Count; i++)
            {
                if (ReadConnection(connectionArray[i], $"$.root.connections[{i}]", problems) is { } connection)
                    connections.Add(connection);
            }
        }

        return definition with
        {
            RootId = OptionalString(root, "id", "$.root", problems),
            Activities = activities,
            Connections = connections,
        };
    }

    private static ActivityNode? ReadActivity(JsonNode? node, string path, List<WorkflowProblem> problems)
    {
        if (node is not JsonObject a)
        {
            problems.Add(new(path, "activity must be an object"));
            return null;
        }
        var id = RequiredString(a, "id", path, problems);
        var type = RequiredString(a, "type", path, problems);
        if (id is null || type is null)
            return null;

        bool canStart = false;
        if (a["customProperties"] is JsonObject custom)
            canStart = OptionalBool(custom, "canStartWorkflow", path + ".customProperties", problems) ?? false;
        else if (a["customProperties"] is not null)
            problems.Add(new(path + ".customProperties", "customProperties must be an object", id));

        DesignerPosition? position = null;
        if (a["metadata"]?["designer"]?["position"] is JsonObject p)
        {
            var ppath = path + ".metadata.designer.position";
            if (p["x"] is JsonValue x && x.TryGetValue<double>(out var px) && p["y"] is JsonValue y && y.TryGetValue<double>(out var py))
                position = new(px, py);
            else
                problems.Add(new(ppath, "position needs numeric x and y", id));
        }

        var inputs = new Dictionary<string, InputValue>();
        foreach (var (name, value) in a)
        {
            if (StructuralProperties.Contains(name) || value is not JsonObject input || input["expression"] is not JsonObject expression)
                continue;
            var ipath = $"{path}.{name}";
            var expressionType = RequiredString(expression, "type", ipath + ".expression", problems);
            if (expressionType is null)
                continue;
            inputs[name] = new InputValue(
                OptionalString(input, "typeName", ipath, problems) ?? "Object",
                expressionType,
                ToElement(expression["value"]));
        }

        return new ActivityNode
        {
            Id = id,
            Type = type,
            Name = OptionalString(a, "name", path, problems),
            Version = OptionalInt(a, "version", path, problems) ?? 1,
            CanStartWorkflow = canStart,
            Position = position,
            Inputs = inputs,
            Raw = a,
        };
    }

    private static Connection? ReadConnection(JsonNode? node, string path, List<WorkflowProblem> problems)
    {
        if (node is not JsonObject c)
        {
            problems.Add(new(path, "connection must be an object"));
            return null;
        }

        // Current shape: { source: { activity, port }, target: { activity, port } }.
        if (c["source"] is JsonObject source && c["target"] is JsonObject target)
        {
            var sa = RequiredString(source, "activity", path + ".source", problems);
            var sp = OptionalString(source, "port", path + ".source", problems) ?? "Done";
            var ta = RequiredString(target, "activity", path + ".target", problems);
            var tp = OptionalString(target, "port", path + ".target", problems) ?? "In";
            return sa is null || ta is null ? null : new Connection(sa, sp, ta, tp) { Raw = c };
        }

        // Legacy Elsa 3.0 shape: { source: "id", sourcePort: "Done", target: "id", targetPort: "In" }.
        if (c["source"] is JsonValue && c["target"] is JsonValue)
        {
            var sa = RequiredString(c, "source", path, problems);
            var ta = RequiredString(c, "target", path, problems);
            var sp = OptionalString(c, "sourcePort", path, problems) ?? "Done";
            var tp = OptionalString(c, "targetPort", path, problems) ?? "In";
            return sa is null || ta is null ? null : new Connection(sa, sp, ta, tp) { Raw = c };
        }

        problems.Add(new(path, "connection needs source and target, as { activity, port } objects or legacy id strings"));
        return null;
    }

    private static JsonElement ToElement(JsonNode? node) =>
        node is null ? JsonDocument.Parse("null").RootElement : JsonSerializer.SerializeToElement(node);

    private static JsonArray? OptionalArray(JsonObject o, string name, string path, List<WorkflowProblem> problems)
    {
        var value = o[name];
        if (value is null or JsonArray)
            return value as JsonArray;
        problems.Add(new($"{path}.{name}", $"'{name}' must be an array"));
        return null;
    }

    private static string? RequiredString(JsonObject o, string name, string path, List<WorkflowProblem> problems)
    {
        var value = OptionalString(o, name, path, problems);
        if (o[name] is null || value == "")
            problems.Add(new($"{path}.{name}", $"'{name}' is required and must be a non-empty string"));
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>
    /// Definition ids go into URLs and headers (<c>Location</c>), so they are limited to what both carry as they are:
    /// letters, digits, '-', '_', '.' and ':' (Elsa's own ids are hex strings or slugs), at most 100 characters.
    /// </summary>
    public static bool IsValidDefinitionId(string id) =>
        id.Length is > 0 and <= 100 && char.IsAsciiLetterOrDigit(id[0]) && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');

    private static string? DefinitionIdOf(JsonObject doc, List<WorkflowProblem> problems)
    {
        var id = OptionalString(doc, "definitionId", "$", problems);
        if (id is null || IsValidDefinitionId(id)) return id;
        problems.Add(new("$.definitionId",
            "'definitionId' must be 1 to 100 characters: ASCII letters, digits, '-', '_', '.' or ':', starting with a letter or digit (or leave it out and the hub assigns one)"));
        return null;
    }

    private static string? OptionalString(JsonObject o, string name, string path, List<WorkflowProblem> problems)
    {
        var value = o[name];
        if (value is null)
            return null;
        if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            return v.GetValue<string>();
        problems.Add(new($"{path}.{name}", $"'{name}' must be a string"));
        return null;
    }

    private static int? OptionalInt(JsonObject o, string name, string path, List<WorkflowProblem> problems)
    {
        var value = o[name];
        if (value is null)
            return null;
        if (value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i))
            return i;
        problems.Add(new($"{path}.{name}", $"'{name}' must be an integer"));
        return null;
    }

    private static bool? OptionalBool(JsonObject o, string name, string path, List<WorkflowProblem> problems)
    {
        var value = o[name];
        if (value is null)
            return null;
        if (value is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
            return v.GetValue<bool>();
        problems.Add(new($"{path}.{name}", $"'{name}' must be true or false"));
        return null;
    }
}
