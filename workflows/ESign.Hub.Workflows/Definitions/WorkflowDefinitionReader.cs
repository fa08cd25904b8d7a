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
/// shape errors come back as problems with a JSON path. Accepts the shapes Elsa itself reads: a leading byte order
/// mark, the 3.0 pre-release connections (<c>source</c>/<c>target</c> ids with <c>sourcePort</c>/<c>targetPort</c>),
/// booleans written as "True"/"False", <c>canStartWorkflow</c> in any case or on the activity itself, inputs that are
/// null or have no expression, and type names as aliases, full or assembly-qualified names (see <see cref="ElsaTypeNames"/>).
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
        // A UTF-8 byte order mark that reached the text (Elsa's exports on Windows carry one) is not part of the JSON.
        if (json.StartsWith('\uFEFF'))
            json = json[1..];

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
                    ElsaTypeNames.Normalize(OptionalString(v, "typeName", path, problems) ?? "Object"),
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

        var nested = new List<NestedFlowchart>();
        for (var i = 0; i < activities.Count; i++)
            ReadNested(activities[i], $"$.root.activities[{i}]", nested, problems, 1);

        return definition with
        {
            RootId = OptionalString(root, "id", "$.root", problems),
            Activities = activities,
            Connections = connections,
            Nested = nested,
        };
    }

    /// <summary>Flowcharts may nest this deep (a loop in a flowchart in a loop …); deeper ones are a problem, not a stack overflow.</summary>
    public const int MaxNesting = 16;

    /// <summary>
    /// The flowcharts an activity runs: its own activities and connections when it is an <c>Elsa.Flowchart</c>, its <c>body</c>
    /// when it has one (FlowNode, ForEach, ParallelForEach, While). A body that is not a flowchart is a flowchart of that one activity.
    /// </summary>
    private static void ReadNested(ActivityNode owner, string path, List<NestedFlowchart> nested, List<WorkflowProblem> problems, int depth)
    {
        if (owner.Type == "Elsa.Flowchart" || BodyActivity(owner) is not null)
        {
            if (depth > MaxNesting)
            {
                problems.Add(new(path, $"{owner.Label}: flowcharts nest deeper than {MaxNesting} levels", owner.Id));
                return;
            }
        }
        if (owner.Type == "Elsa.Flowchart")
            ReadFlowchart(owner.Raw, owner.Id, owner.Id, path, nested, problems, depth);
        if (BodyActivity(owner) is not { } body) return;
        if (body["type"] is JsonValue t && t.GetValueKind() == JsonValueKind.String && t.GetValue<string>() == "Elsa.Flowchart")
        {
            var id = body["id"] is JsonValue bodyId && bodyId.GetValueKind() == JsonValueKind.String ? bodyId.GetValue<string>() : owner.Id + ":body";
            ReadFlowchart(body, id, owner.Id, path + ".body", nested, problems, depth);
            return;
        }
        if (ReadActivity(body, path + ".body", problems) is not { } single) return;
        nested.Add(new NestedFlowchart(single.Id + ":body", owner.Id, path + ".body", [single], [], single.Id));
        ReadNested(single, path + ".body", nested, problems, depth + 1);
    }

    /// <summary>
    /// The activity in <c>body</c>, when <c>body</c> holds one (a <c>type</c>, no <c>expression</c>): an email's <c>body</c> is an input.
    /// </summary>
    private static JsonObject? BodyActivity(ActivityNode owner) =>
        owner.Raw["body"] is JsonObject body && body["type"] is JsonValue type && type.GetValueKind() == JsonValueKind.String
            && body["expression"] is null && body["typeName"] is null
            ? body
            : null;

    private static void ReadFlowchart(JsonObject flowchart, string id, string ownerId, string path, List<NestedFlowchart> nested, List<WorkflowProblem> problems,
        int depth)
    {
        var activities = new List<ActivityNode>();
        if (OptionalArray(flowchart, "activities", path, problems) is { } activityArray)
        {
            for (var i = 0; i < activityArray.Count; i++)
            {
                if (ReadActivity(activityArray[i], $"{path}.activities[{i}]", problems) is { } activity)
                    activities.Add(activity);
            }
        }
        var connections = new List<Connection>();
        if (OptionalArray(flowchart, "connections", path, problems) is { } connectionArray)
        {
            for (var i = 0; i < connectionArray.Count; i++)
            {
                if (ReadConnection(connectionArray[i], $"{path}.connections[{i}]", problems) is { } connection)
                    connections.Add(connection);
            }
        }
        nested.Add(new NestedFlowchart(id, ownerId, path, activities, connections, FlowchartStart.Named(flowchart)));
        for (var i = 0; i < activities.Count; i++)
            ReadNested(activities[i], $"{path}.activities[{i}]", nested, problems, depth + 1);
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

        if (a["customProperties"] is not (null or JsonObject))
            problems.Add(new(path + ".customProperties", "customProperties must be an object", id));
        var canStart = CanStartWorkflow(a, path, problems) ?? false;

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
            // An expression without a type is an input left empty in the designer, as is a null input.
            if (expression["type"] is null)
                continue;
            var expressionType = RequiredString(expression, "type", ipath + ".expression", problems);
            if (expressionType is null)
                continue;
            var typeName = ElsaTypeNames.Normalize(OptionalString(input, "typeName", ipath, problems) ?? "Object");
            inputs[name] = new InputValue(typeName, expressionType, ToElement(LiteralValue(typeName, expressionType, expression["value"])));
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

    /// <summary>
    /// <c>canStartWorkflow</c> as Elsa writes it: in <c>customProperties</c> (camel case, or Pascal case in 3.0
    /// pre-releases), else on the activity itself; true/false or "True"/"False". Null when not written.
    /// </summary>
    internal static bool? CanStartWorkflow(JsonObject activity, string path, List<WorkflowProblem> problems)
    {
        if (activity["customProperties"] is JsonObject custom && FindKey(custom, "canStartWorkflow") is { } key)
            return OptionalBool(custom, key, path + ".customProperties", problems);
        return OptionalBool(activity, "canStartWorkflow", path, problems);
    }

    internal static string? FindKey(JsonObject o, string name) =>
        o.ContainsKey(name) ? name : o.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// A Literal's value as the input's type reads it: Elsa writes Boolean literals as "True"/"False" and converts them
    /// to the input's type before use, so they become JSON booleans here. Other values stay as written.
    /// </summary>
    internal static JsonNode? LiteralValue(string typeName, string expressionType, JsonNode? value)
    {
        if (expressionType == "Literal" && typeName == "Boolean" && value is JsonValue v && v.GetValueKind() == JsonValueKind.String
            && bool.TryParse(v.GetValue<string>().Trim(), out var b))
            return JsonValue.Create(b);
        return value;
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
        // Elsa's serializer also writes booleans as "True"/"False".
        if (value is JsonValue text && text.GetValueKind() == JsonValueKind.String && bool.TryParse(text.GetValue<string>().Trim(), out var parsed))
            return parsed;
        problems.Add(new($"{path}.{name}", $"'{name}' must be true or false"));
        return null;
    }
}
