using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ESign.Hub.Workflows.Expressions;

namespace ESign.Hub.Workflows.Definitions;

/// <summary>
/// An Elsa 2 definition turned into Elsa 3's shape: the definition, what the conversion changed or could not convert
/// (merged into the import report), or the problems that stopped it.
/// </summary>
public sealed record Elsa2Conversion(JsonObject? Definition, IReadOnlyList<ImportReportEntry> Notes, IReadOnlyList<WorkflowProblem> Problems)
{
    public bool Succeeded => Definition is not null;
}

/// <summary>
/// Converts Elsa 2 workflow JSON (<c>activities</c> with <c>activityId</c>, <c>connections</c> with
/// <c>sourceActivityId</c>/<c>targetActivityId</c>/<c>outcome</c>, <c>properties[].expressions</c> keyed by syntax,
/// Newtonsoft <c>$id</c>/<c>$ref</c>) into an Elsa 3 flowchart. Elsa ships no such migration; names, inputs and ports
/// follow Elsa 2's activities and Elsa 3's counterparts. Activities without a counterpart are kept verbatim (under
/// <c>elsa2Activity</c>) and reported unsupported. Like the Elsa 3 reader it never throws on bad input.
/// </summary>
public static partial class Elsa2WorkflowConverter
{
    /// <summary>
    /// Deepest Elsa 2 input: kept-verbatim activities sit two levels deeper in the Elsa 3 shape, which the reader
    /// limits to <see cref="WorkflowDefinitionReader.MaxDepth"/>.
    /// </summary>
    public const int MaxDepth = WorkflowDefinitionReader.MaxDepth - 4;

    /// <summary>Most JSON nodes that <c>$ref</c> references may expand to; a few references can otherwise copy a document many times over.</summary>
    public const int MaxExpandedNodes = 200_000;

    private const string Done = "Done";
    private const string FlowJoinModeType = "Elsa.Workflows.Activities.Flowchart.Models.FlowJoinMode, Elsa.Workflows.Core";
    private const string HttpHeadersType = "Elsa.Http.Models.HttpHeaders, Elsa.Http";
    private const string Elsa2ScriptNote =
        "written for Elsa 2: its script globals (input, activities.X.Output(), workflowContext, correlationId, Duration) are not defined here";
    private const string Elsa2LiquidNote = "written for Elsa 2: its Liquid filters (signal_url, workflow_definition_id, …) are not defined here";

    /// <summary>
    /// Whether <paramref name="json"/> looks like an Elsa 2 definition: an object without <c>root</c> whose
    /// <c>activities</c> carry <c>activityId</c> or whose <c>connections</c> carry <c>sourceActivityId</c>.
    /// Anything that does not parse is not (the Elsa 3 reader then says what is wrong with it).
    /// </summary>
    public static bool IsElsa2(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (Encoding.UTF8.GetByteCount(json) > WorkflowDefinitionReader.MaxBytes) return false;
        try
        {
            using var document = JsonDocument.Parse(json.TrimStart('\uFEFF'), new JsonDocumentOptions { MaxDepth = WorkflowDefinitionReader.MaxDepth });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.TryGetProperty("root", out _)) return false;
            return Has(root, "activities", "activityId") || Has(root, "connections", "sourceActivityId");
        }
        catch (JsonException)
        {
            return false;
        }

        static bool Has(JsonElement root, string array, string property) =>
            root.TryGetProperty(array, out var items) && items.ValueKind == JsonValueKind.Array
            && items.EnumerateArray().Any(item => item.ValueKind == JsonValueKind.Object && item.TryGetProperty(property, out _));
    }

    /// <summary>
    /// The import report of the converted definition with the conversion's own notes laid over it: an entry for the same
    /// activity and input takes the worse support level and both notes.
    /// </summary>
    public static IReadOnlyList<ImportReportEntry> MergeReport(IReadOnlyList<ImportReportEntry> report, IReadOnlyList<ImportReportEntry> notes)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(notes);
        var merged = report.ToList();
        foreach (var note in notes)
        {
            var at = merged.FindIndex(e => e.ActivityId == note.ActivityId && e.Input == note.Input);
            if (at < 0)
            {
                merged.Add(note);
                continue;
            }
            var entry = merged[at];
            // A kept-verbatim Elsa 2 activity is unknown to the catalog too; the conversion's note says more.
            var text = entry.Support == SupportLevel.Unsupported && note.Support == SupportLevel.Unsupported ? note.Note
                : string.IsNullOrEmpty(entry.Note) ? note.Note : $"{entry.Note}; {note.Note}";
            merged[at] = entry with { Support = (SupportLevel)Math.Max((int)entry.Support, (int)note.Support), Note = text };
        }
        return merged;
    }

    public static Elsa2Conversion Convert(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (Encoding.UTF8.GetByteCount(json) > WorkflowDefinitionReader.MaxBytes)
            return Fail("$", $"definition is larger than {WorkflowDefinitionReader.MaxBytes} bytes");
        if (json.StartsWith('\uFEFF'))
            json = json[1..];

        JsonNode? parsed;
        try
        {
            using (var check = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth }))
            {
                if (UntrustedJson.FindProblem(check.RootElement) is { } bad) return Fail(bad.Path, bad.Message);
            }
            parsed = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = MaxDepth, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            return Fail("$", $"not valid JSON (an Elsa 2 definition may nest at most {MaxDepth} levels): {e.Message}");
        }
        if (parsed is not JsonObject)
            return Fail("$", "an Elsa 2 definition must be a JSON object");

        var problems = new List<WorkflowProblem>();
        var references = new NewtonsoftReferences(problems);
        var doc = references.Resolve(parsed, "$") as JsonObject;
        if (problems.Count > 0 || doc is null)
            return new(null, [], problems);
        return new Converter(doc, problems).Run();
    }

    private static Elsa2Conversion Fail(string path, string message) => new(null, [], [new(path, message)]);

    /// <summary>
    /// Newtonsoft's PreserveReferencesHandling: objects carry <c>$id</c>, repeats are <c>{ "$ref": id }</c>, arrays may be
    /// <c>{ "$id", "$values": [...] }</c>. Resolves references to copies, refuses cycles and runaway expansion, drops <c>$id</c>.
    /// </summary>
    private sealed class NewtonsoftReferences(List<WorkflowProblem> problems)
    {
        private readonly Dictionary<string, JsonObject> _byId = new(StringComparer.Ordinal);
        private readonly HashSet<string> _expanding = new(StringComparer.Ordinal);
        private int _nodes;

        public JsonNode? Resolve(JsonNode root, string path)
        {
            Index(root);
            return Copy(root, path);
        }

        private void Index(JsonNode? node)
        {
            var pending = new Stack<JsonNode?>([node]);
            while (pending.TryPop(out var item))
            {
                if (item is JsonObject o)
                {
                    if (o["$id"] is JsonValue id && id.GetValueKind() == JsonValueKind.String)
                        _byId.TryAdd(id.GetValue<string>(), o);
                    foreach (var (_, child) in o) pending.Push(child);
                }
                else if (item is JsonArray a)
                {
                    foreach (var child in a) pending.Push(child);
                }
            }
        }

        private JsonNode? Copy(JsonNode? node, string path)
        {
            if (problems.Count > 0) return null;
            if (++_nodes > MaxExpandedNodes)
            {
                problems.Add(new(path, $"'$ref' references expand to more than {MaxExpandedNodes} JSON values; send the definition without repeated references"));
                return null;
            }
            switch (node)
            {
                case JsonObject o when o["$ref"] is { } reference:
                    if (reference is not JsonValue r || r.GetValueKind() != JsonValueKind.String || !_byId.TryGetValue(r.GetValue<string>(), out var target))
                    {
                        problems.Add(new(path + ".$ref", "'$ref' must name the '$id' of an object in the definition"));
                        return null;
                    }
                    var key = r.GetValue<string>();
                    if (!_expanding.Add(key))
                    {
                        problems.Add(new(path + ".$ref", $"'$ref' {key} refers to an object that contains it; cyclic references cannot be converted"));
                        return null;
                    }
                    var copy = Copy(target, path);
                    _expanding.Remove(key);
                    return copy;
                case JsonObject o when o["$values"] is JsonArray values:
                    return Copy(values, path);
                case JsonObject o:
                    var id = o["$id"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
                    if (id is not null) _expanding.Add(id);
                    var result = new JsonObject();
                    foreach (var (name, child) in o)
                    {
                        if (name == "$id") continue;
                        result[name] = Copy(child, $"{path}.{name}");
                    }
                    if (id is not null) _expanding.Remove(id);
                    return result;
                case JsonArray a:
                    var array = new JsonArray();
                    for (var i = 0; i < a.Count; i++) array.Add(Copy(a[i], $"{path}[{i}]"));
                    return array;
                default:
                    return node?.DeepClone();
            }
        }
    }

    /// <summary>An Elsa 2 property: the syntax chosen in the designer (may be absent) and its expressions by syntax.</summary>
    private sealed record Elsa2Property(string? Syntax, IReadOnlyDictionary<string, string> Expressions);

    /// <summary>Where an Elsa 2 outcome goes in Elsa 3: the ports it becomes, or why its connections are dropped.</summary>
    private sealed record PortMapping(IReadOnlyList<string> Ports, string? DropReason = null);

    /// <summary>One converted activity and how its Elsa 2 outcomes map to Elsa 3 ports.</summary>
    private sealed record ConvertedActivity(JsonObject Json, Func<string, PortMapping> Ports);

    private sealed class Converter(JsonObject doc, List<WorkflowProblem> problems)
    {
        private readonly List<ImportReportEntry> _notes = [];
        private readonly JsonArray _variables = [];
        private readonly HashSet<string> _variableNames = new(StringComparer.Ordinal);

        public Elsa2Conversion Run()
        {
            ReadVariables();
            if (doc["activities"] is not JsonArray activities)
            {
                problems.Add(new("$.activities", "an Elsa 2 definition needs an 'activities' array"));
                return new(null, [], problems);
            }
            var connections = doc["connections"] switch
            {
                JsonArray array => array,
                null => [],
                _ => null,
            };
            if (connections is null)
            {
                problems.Add(new("$.connections", "'connections' must be an array"));
                return new(null, [], problems);
            }

            var edges = ReadConnections(connections);
            var inbound = edges.Select(e => e.Target).ToHashSet(StringComparer.Ordinal);
            var converted = new Dictionary<string, ConvertedActivity>(StringComparer.Ordinal);
            var activityJson = new JsonArray();
            for (var i = 0; i < activities.Count; i++)
            {
                if (ConvertActivity(activities[i], $"$.activities[{i}]", inbound) is not { } activity) continue;
                converted.TryAdd((string)activity.Json["id"]!, activity);
                activityJson.Add(activity.Json);
            }

            var connectionJson = new JsonArray();
            foreach (var (source, outcome, target) in edges)
            {
                var mapping = converted.TryGetValue(source, out var from) ? from.Ports(outcome) : new PortMapping([outcome]);
                if (mapping.DropReason is { } reason)
                    Note(source, (string)from!.Json["type"]!, SupportLevel.Degraded, $"connection '{outcome}' to '{target}' dropped: {reason}");
                foreach (var port in mapping.Ports)
                {
                    connectionJson.Add(new JsonObject
                    {
                        ["source"] = new JsonObject { ["activity"] = source, ["port"] = port },
                        ["target"] = new JsonObject { ["activity"] = target, ["port"] = ActivityCatalog.InPort },
                    });
                }
            }
            if (problems.Count > 0)
                return new(null, [], problems);

            var result = new JsonObject();
            foreach (var name in new[] { "id", "definitionId", "name", "description" })
            {
                if (doc[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String)
                    result[name] = value.GetValue<string>();
            }
            if (doc["versionId"] is JsonValue versionId && versionId.GetValueKind() == JsonValueKind.String && result["id"] is null)
                result["id"] = versionId.GetValue<string>();
            if (doc["version"] is JsonValue version && version.GetValueKind() == JsonValueKind.Number && version.TryGetValue<int>(out var v) && v >= 1)
                result["version"] = v;
            result["variables"] = _variables;
            // What Elsa 2 said about the workflow as a whole (context, persistence) has no Elsa 3 place; keep it.
            var rest = new JsonObject();
            foreach (var (name, value) in doc)
            {
                if (name is not ("id" or "definitionId" or "name" or "description" or "versionId" or "version" or "variables" or "activities" or "connections"))
                    rest[name] = value?.DeepClone();
            }
            result["customProperties"] = new JsonObject { ["elsa2"] = rest };
            result["root"] = new JsonObject
            {
                ["type"] = "Elsa.Flowchart",
                ["id"] = "Flowchart1",
                ["activities"] = activityJson,
                ["connections"] = connectionJson,
            };
            return new(result, _notes, []);
        }

        private void ReadVariables()
        {
            // Elsa 2: "variables": { "data": { "Name": value } }.
            if (doc["variables"]?["data"] is not JsonObject data) return;
            foreach (var (name, value) in data)
            {
                if (!_variableNames.Add(name)) continue;
                _variables.Add(new JsonObject
                {
                    ["id"] = name, ["name"] = name, ["typeName"] = "Object", ["isArray"] = false,
                    ["value"] = value is JsonValue plain ? plain.DeepClone() : value?.ToJsonString(),
                });
            }
        }

        private void DeclareVariable(string name)
        {
            if (_variableNames.Add(name))
                _variables.Add(new JsonObject { ["id"] = name, ["name"] = name, ["typeName"] = "Object", ["isArray"] = false });
        }

        private List<(string Source, string Outcome, string Target)> ReadConnections(JsonArray connections)
        {
            var edges = new List<(string, string, string)>();
            for (var i = 0; i < connections.Count; i++)
            {
                var path = $"$.connections[{i}]";
                if (connections[i] is not JsonObject c)
                {
                    problems.Add(new(path, "connection must be an object"));
                    continue;
                }
                var source = Text(c, "sourceActivityId", path, required: true);
                var target = Text(c, "targetActivityId", path, required: true);
                var outcome = Text(c, "outcome", path, required: false);
                if (source is not null && target is not null)
                    edges.Add((source, string.IsNullOrEmpty(outcome) ? Done : outcome, target));
            }
            return edges;
        }

        private ConvertedActivity? ConvertActivity(JsonNode? node, string path, HashSet<string> inbound)
        {
            if (node is not JsonObject a)
            {
                problems.Add(new(path, "activity must be an object"));
                return null;
            }
            var id = Text(a, "activityId", path, required: true);
            var type = Text(a, "type", path, required: true);
            var properties = ReadProperties(a, path, id);
            if (id is null || type is null || properties is null)
                return null;

            var name = Text(a, "name", path, required: false);
            var displayName = Text(a, "displayName", path, required: false);
            var elsa3 = new JsonObject { ["id"] = id, ["type"] = "", ["version"] = 1 };
            if (!string.IsNullOrEmpty(name)) elsa3["name"] = name;
            if (!string.IsNullOrEmpty(displayName)) elsa3["metadata"] = new JsonObject { ["displayText"] = displayName };
            var activity = new Elsa2Activity(this, id, type, properties, elsa3);
            var ports = activity.Convert(inbound.Contains(id));
            if (ports is null)
            {
                // No Elsa 3 counterpart: kept as Elsa 2 wrote it, so nothing is lost.
                elsa3["type"] = type;
                elsa3["elsa2Activity"] = a.DeepClone();
                Note(id, type, SupportLevel.Unsupported,
                    $"Elsa 2 activity '{type}' has no Elsa 3 conversion here: kept verbatim (elsa2Activity), will not run");
                return new(elsa3, outcome => new PortMapping([outcome]));
            }
            return new(elsa3, ports);
        }

        private Dictionary<string, Elsa2Property>? ReadProperties(JsonObject a, string path, string? id)
        {
            var result = new Dictionary<string, Elsa2Property>(StringComparer.OrdinalIgnoreCase);
            if (a["properties"] is null) return result;
            if (a["properties"] is not JsonArray properties)
            {
                problems.Add(new(path + ".properties", "'properties' must be an array", id));
                return null;
            }
            for (var i = 0; i < properties.Count; i++)
            {
                var ppath = $"{path}.properties[{i}]";
                if (properties[i] is not JsonObject p)
                {
                    problems.Add(new(ppath, "property must be an object with 'name' and 'expressions'", id));
                    continue;
                }
                var name = Text(p, "name", ppath, required: true);
                var syntax = Text(p, "syntax", ppath, required: false);
                var expressions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                if (p["expressions"] is JsonObject e)
                {
                    foreach (var (key, value) in e)
                    {
                        if (value is null) continue;
                        if (value is JsonValue text && text.GetValueKind() == JsonValueKind.String)
                            expressions[key] = text.GetValue<string>();
                        else
                            problems.Add(new($"{ppath}.expressions.{key}", "an expression must be text", id));
                    }
                }
                else if (p["expressions"] is not null)
                {
                    problems.Add(new(ppath + ".expressions", "'expressions' must be an object of expressions by syntax", id));
                }
                if (name is not null) result[name] = new(syntax, expressions);
            }
            return result;
        }

        public void Note(string activityId, string type, SupportLevel support, string note, string? input = null) =>
            _notes.Add(new(activityId, type, support, note, input));

        public void UseVariable(string name) => DeclareVariable(name);

        private string? Text(JsonObject o, string name, string path, bool required)
        {
            var value = o[name];
            if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String && (!required || v.GetValue<string>().Length > 0))
                return v.GetValue<string>();
            if (value is not null || required)
                problems.Add(new($"{path}.{name}", required ? $"'{name}' is required and must be a non-empty string" : $"'{name}' must be a string"));
            return null;
        }
    }

    /// <summary>Converts one Elsa 2 activity of a known type, writing inputs onto the Elsa 3 JSON.</summary>
    private sealed partial class Elsa2Activity(Converter converter, string id, string type, Dictionary<string, Elsa2Property> properties, JsonObject elsa3)
    {
        private static readonly Func<string, PortMapping> OnlyDone = outcome =>
            outcome == Done ? new([Done]) : new([], $"the Elsa 3 activity has only the '{Done}' port");

        /// <summary>Writes the Elsa 3 type and inputs; returns how outcomes map, or null when there is no counterpart.</summary>
        public Func<string, PortMapping>? Convert(bool hasInbound)
        {
            switch (type)
            {
                case "If":
                    Become("Elsa.FlowDecision");
                    Input("Condition", "condition", "Boolean");
                    return outcome => outcome switch
                    {
                        "True" or "False" => new([outcome]),
                        Done => new([], "Elsa 2 takes If's 'Done' after the chosen branch completes; Elsa 3's FlowDecision has only True and False"),
                        _ => new([outcome]),
                    };
                case "Fork":
                    Become("Elsa.FlowFork");
                    var branches = Input("Branches", "branches", "String[]", defaultSyntax: "Json");
                    var names = ListOf(branches);
                    return outcome => outcome == Done && !names.Contains(Done)
                        ? new([], "Elsa 2's Fork takes only its branches; Elsa 3's FlowFork has one port per branch")
                        : new([outcome]);
                case "Join":
                    Become("Elsa.FlowJoin");
                    // Elsa 2's Join waits for all inbound branches unless told otherwise; Elsa 3's FlowJoin defaults to WaitAny.
                    if (Input("Mode", "mode", FlowJoinModeType) is null)
                        elsa3["mode"] = Literal(FlowJoinModeType, "WaitAll");
                    return OnlyDone;
                case "SignalReceived":
                    Become("Elsa.Event", trigger: !hasInbound);
                    Input("Signal", "eventName", "String");
                    converter.Note(id, "Elsa.Event", SupportLevel.Degraded,
                        "Elsa 2 signal becomes an Elsa 3 event of the same name: raise it with an event, not Elsa 2's signal URL");
                    return OnlyDone;
                case "Timer":
                    Become("Elsa.Timer", trigger: !hasInbound);
                    Duration("Timeout", "interval");
                    return OnlyDone;
                case "SendHttpRequest":
                    return SendHttpRequest();
                case "HttpEndpoint":
                    Become("Elsa.HttpEndpoint", trigger: !hasInbound);
                    Input("Path", "path", "String");
                    Input("Methods", "supportedMethods", "String[]", defaultSyntax: "Json");
                    Input("Authorize", "authorize", "Boolean");
                    Input("Policy", "policy", "String");
                    Dropped("TargetType", "the request body is parsed by its content type");
                    Dropped("Schema", "the request body is not checked against a JSON schema");
                    return OnlyDone;
                case "WriteHttpResponse":
                    Become("Elsa.WriteHttpResponse");
                    Input("StatusCode", "statusCode", "System.Net.HttpStatusCode, System.Net.Primitives");
                    Input("Content", "content", "Object");
                    Input("ContentType", "contentType", "String");
                    Input("ResponseHeaders", "responseHeaders", HttpHeadersType);
                    Dropped("CharSet", "the response is sent as UTF-8");
                    return OnlyDone;
                case "SetVariable":
                    Become("Elsa.SetVariable");
                    SetVariableReference();
                    Input("Value", "value", "Object");
                    return OnlyDone;
                case "RunJavaScript":
                    Become("Elsa.RunJavaScript");
                    // The script is the expression's text whatever syntax holds it; Elsa 3 writes it as a Literal.
                    Input("Script", "script", "String", asLiteral: true);
                    Input("PossibleOutcomes", "possibleOutcomes", "String[]", defaultSyntax: "Json");
                    return outcome => new([outcome]); // Done and the script's own outcomes keep their names
                case "SendEmail":
                    Become("Elsa.SendEmail");
                    Input("From", "from", "String");
                    Input("To", "to", "String[]", defaultSyntax: "Json");
                    Input("Cc", "cc", "String[]", defaultSyntax: "Json");
                    Input("Bcc", "bcc", "String[]", defaultSyntax: "Json");
                    Input("Subject", "subject", "String");
                    Input("Body", "body", "String");
                    Input("Attachments", "attachments", "Object");
                    return OnlyDone;
                case "WriteLine":
                    Become("Elsa.WriteLine");
                    Input("Text", "text", "String");
                    return OnlyDone;
                case "Finish":
                    return Finish();
                default:
                    return null;
            }
        }

        private Func<string, PortMapping> SendHttpRequest()
        {
            Become("Elsa.FlowSendHttpRequest");
            Input("Url", "url", "System.Uri, System.Private.Uri");
            Input("Method", "method", "String");
            Input("Content", "content", "Object");
            Input("ContentType", "contentType", "String");
            Input("Authorization", "authorization", "String");
            Input("RequestHeaders", "requestHeaders", HttpHeadersType);
            var codes = ListOf(Input("SupportedStatusCodes", "expectedStatusCodes", "Int32[]", defaultSyntax: "Json"));
            Dropped("ResponseContentParserName", "the response is parsed by its content type");
            const string unmatched = "Unmatched status code";
            return outcome => outcome switch
            {
                // Elsa 2 takes Done after every response, beside the status code's own outcome.
                Done => new([.. codes, unmatched]),
                "Unsupported Status Code" => new([unmatched]),
                _ => new([outcome]),
            };
        }

        private Func<string, PortMapping> Finish()
        {
            var outcomes = Expression("OutcomeNames", "Json");
            if (outcomes is null)
            {
                Become("Elsa.End");
            }
            else
            {
                Become("Elsa.Complete");
                elsa3["outcomes"] = Input(outcomes.Value, "Object");
                NoteExpression("outcomes", outcomes.Value.Syntax);
            }
            Dropped("ActivityOutput", "Elsa 3 sets workflow output with SetOutput");
            return _ => new([], "Elsa 2's Finish ends the workflow; nothing runs after it");
        }

        private void Become(string elsa3Type, bool trigger = false)
        {
            elsa3["type"] = elsa3Type;
            // Elsa 2 starts a workflow at a trigger that nothing leads to; Elsa 3 marks such triggers.
            if (trigger) elsa3["customProperties"] = new JsonObject { ["canStartWorkflow"] = true };
        }

        /// <summary>Writes the Elsa 2 property as an Elsa 3 input; returns the chosen expression, or null when the property is empty.</summary>
        private (string Syntax, string Text)? Input(string elsa2Name, string elsa3Name, string typeName, string defaultSyntax = "Literal", bool asLiteral = false)
        {
            if (Expression(elsa2Name, defaultSyntax) is not { } chosen) return null;
            if (asLiteral) chosen = ("Literal", chosen.Text);
            elsa3[elsa3Name] = Input(chosen, typeName);
            NoteExpression(elsa3Name, chosen.Syntax);
            if (asLiteral)
                converter.Note(id, (string)elsa3["type"]!, SupportLevel.Degraded, $"script {Elsa2ScriptNote}", elsa3Name);
            return chosen;
        }

        private static JsonObject Input((string Syntax, string Text) expression, string typeName) => new()
        {
            ["typeName"] = typeName,
            ["expression"] = new JsonObject { ["type"] = Elsa3Syntax(expression.Syntax), ["value"] = expression.Text },
        };

        private static JsonObject Literal(string typeName, string value) => Input(("Literal", value), typeName);

        /// <summary>
        /// The expression Elsa 2 evaluates: the one under the property's syntax, else the input's default syntax, else the
        /// only one written. Null for a property left empty.
        /// </summary>
        private (string Syntax, string Text)? Expression(string elsa2Name, string defaultSyntax)
        {
            if (!properties.TryGetValue(elsa2Name, out var property)) return null;
            var written = property.Expressions.Where(e => !string.IsNullOrWhiteSpace(e.Value)).ToList();
            var syntax = property.Syntax
                ?? (property.Expressions.ContainsKey(defaultSyntax) || written.Count != 1 ? defaultSyntax : written[0].Key);
            return property.Expressions.TryGetValue(syntax, out var text) && !string.IsNullOrWhiteSpace(text) ? (syntax, text) : null;
        }

        private static string Elsa3Syntax(string elsa2Syntax) => elsa2Syntax switch
        {
            "Json" => "Object",
            _ => elsa2Syntax, // Literal, JavaScript and Liquid keep their names; others are reported by the import report
        };

        private void NoteExpression(string elsa3Name, string syntax)
        {
            var elsa3Type = (string)elsa3["type"]!;
            if (syntax == "JavaScript")
                converter.Note(id, elsa3Type, SupportLevel.Degraded, Elsa2ScriptNote, elsa3Name);
            else if (syntax == "Liquid")
                converter.Note(id, elsa3Type, SupportLevel.Degraded, Elsa2LiquidNote, elsa3Name);
        }

        private void Dropped(string elsa2Name, string why)
        {
            if (Expression(elsa2Name, "Literal") is { } expression && expression.Text.Trim() is not ("" or "false" or "False"))
                converter.Note(id, (string)elsa3["type"]!, SupportLevel.Degraded, $"Elsa 2 property '{elsa2Name}' dropped: {why}");
        }

        private void Duration(string elsa2Name, string elsa3Name)
        {
            if (Expression(elsa2Name, "Literal") is not { } expression) return;
            // Elsa 2 writes durations as NodaTime scripts ("Duration.FromSeconds(10)"); the common ones become a TimeSpan literal.
            if (expression.Syntax == "JavaScript" && NodaDuration().Match(expression.Text) is { Success: true } m
                && double.TryParse(m.Groups["amount"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
            {
                var span = m.Groups["unit"].Value switch
                {
                    "Days" => TimeSpan.FromDays(amount),
                    "Hours" => TimeSpan.FromHours(amount),
                    "Minutes" => TimeSpan.FromMinutes(amount),
                    "Seconds" => TimeSpan.FromSeconds(amount),
                    _ => TimeSpan.FromMilliseconds(amount),
                };
                elsa3[elsa3Name] = Literal("TimeSpan", span.ToString("c", CultureInfo.InvariantCulture));
                return;
            }
            elsa3[elsa3Name] = Input(expression, "TimeSpan");
            NoteExpression(elsa3Name, expression.Syntax);
        }

        private void SetVariableReference()
        {
            if (Expression("VariableName", "Literal") is not { } name) return;
            if (name.Syntax != "Literal")
            {
                converter.Note(id, "Elsa.SetVariable", SupportLevel.Unsupported,
                    $"Elsa 2 variable name computed by a {name.Syntax} expression cannot be converted: name the variable");
                return;
            }
            var variable = name.Text.Trim();
            converter.UseVariable(variable);
            elsa3["variable"] = new JsonObject { ["id"] = variable, ["name"] = variable, ["typeName"] = "Object" };
        }

        private static HashSet<string> ListOf((string Syntax, string Text)? expression)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            if (expression is not { } e) return names;
            try
            {
                if (JsonNode.Parse(e.Text, documentOptions: new JsonDocumentOptions { MaxDepth = 8 }) is JsonArray array)
                {
                    foreach (var item in array)
                    {
                        if (item is JsonValue v) names.Add(v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString());
                    }
                    return names;
                }
            }
            catch (JsonException)
            {
                // Not JSON: Elsa 2 also took comma-separated names.
            }
            foreach (var part in e.Text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                names.Add(part);
            return names;
        }

        [GeneratedRegex(@"^\s*(?:return\s+)?Duration\.From(?<unit>Days|Hours|Minutes|Seconds|Milliseconds)\(\s*(?<amount>\d+(?:\.\d+)?)\s*\)\s*;?\s*$",
            RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
        private static partial Regex NodaDuration();
    }
}
