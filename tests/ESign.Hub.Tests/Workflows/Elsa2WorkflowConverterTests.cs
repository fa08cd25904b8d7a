using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ESign.Hub.Tests.Infrastructure;
using ESign.Hub.Workflows.Definitions;

namespace ESign.Hub.Tests.Workflows;

/// <summary>Elsa 2 definitions converted to Elsa 3's shape: each mapped type's ports and inputs, what is kept, and hostile input.</summary>
public class Elsa2WorkflowConverterTests
{
    internal static string Elsa2(string activities, string connections = "", string variables = "{}") => $$"""
    { "$id": "1", "definitionId": "e2-test", "versionId": "v7", "name": "Elsa 2 test", "version": 3,
      "variables": { "$id": "2", "data": {{variables}} }, "contextOptions": { "$id": "3", "contextFidelity": "Burst" },
      "isPublished": true, "activities": [{{activities}}], "connections": [{{connections}}] }
    """;

    internal static string Act(string id, string type, params string[] properties) =>
        $$"""{ "activityId": "{{id}}", "type": "{{type}}", "displayName": "{{type}} {{id}}", "persistWorkflow": false, "properties": [{{string.Join(", ", properties)}}], "propertyStorageProviders": {} }""";

    /// <summary>A property with one expression; <paramref name="chosen"/> false leaves out "syntax", as Elsa 2 often does.</summary>
    internal static string Prop(string name, string syntax, string value, bool chosen = true) =>
        $$"""{ "name": "{{name}}", {{(chosen ? $"\"syntax\": \"{syntax}\", " : "")}}"expressions": { "{{syntax}}": {{JsonValue.Create(value).ToJsonString()}} } }""";

    internal static string Conn(string source, string outcome, string target) =>
        $$"""{ "sourceActivityId": "{{source}}", "targetActivityId": "{{target}}", "outcome": "{{outcome}}" }""";

    private static (WorkflowDefinition Definition, IReadOnlyList<ImportReportEntry> Report) Convert(string json)
    {
        var conversion = Elsa2WorkflowConverter.Convert(json);
        Assert.True(conversion.Succeeded, string.Join("\n", conversion.Problems));
        var read = WorkflowDefinitionReader.Read(conversion.Definition!.ToJsonString());
        Assert.True(read.Succeeded, string.Join("\n", read.Problems));
        return (read.Definition!, Elsa2WorkflowConverter.MergeReport(ImportReport.For(read.Definition!, HubCatalog.Instance), conversion.Notes));
    }

    private static ActivityNode Node(WorkflowDefinition d, string id) => d.Activities.Single(a => a.Id == id);

    private static string[] Links(WorkflowDefinition d) =>
        [.. d.Connections.Select(c => $"{c.SourceActivity}:{c.SourcePort}->{c.TargetActivity}:{c.TargetPort}")];

    private static (string Type, string Value) Expr(ActivityNode node, string input) =>
        (node.Inputs[input].ExpressionType, node.Inputs[input].Value.ValueKind == System.Text.Json.JsonValueKind.String
            ? node.Inputs[input].Value.GetString()! : node.Inputs[input].Value.GetRawText());

    [Fact]
    public void Elsa_2_is_told_apart_from_Elsa_3_and_from_garbage()
    {
        Assert.True(Elsa2WorkflowConverter.IsElsa2(Elsa2(Act("a", "WriteLine"))));
        Assert.True(Elsa2WorkflowConverter.IsElsa2("\uFEFF" + Elsa2(Act("a", "WriteLine"))));
        Assert.False(Elsa2WorkflowConverter.IsElsa2(ElsaSamples.HttpApproval));
        Assert.False(Elsa2WorkflowConverter.IsElsa2("{ not json"));
        Assert.False(Elsa2WorkflowConverter.IsElsa2("""{ "activities": [ { "id": "a", "type": "Elsa.End" } ] }"""));
    }

    [Fact]
    public void If_becomes_FlowDecision_with_True_and_False_and_its_Done_is_reported_dropped()
    {
        var (d, report) = Convert(Elsa2(
            Act("if1", "If", Prop("Condition", "JavaScript", "input.amount > 10")) + "," + Act("yes", "WriteLine") + "," + Act("no", "WriteLine") + "," + Act("after", "WriteLine"),
            Conn("if1", "True", "yes") + "," + Conn("if1", "False", "no") + "," + Conn("if1", "Done", "after")));

        var decision = Node(d, "if1");
        Assert.Equal("Elsa.FlowDecision", decision.Type);
        Assert.Equal(("Boolean", "JavaScript", "input.amount > 10"), (decision.Inputs["condition"].TypeName, decision.Inputs["condition"].ExpressionType, decision.Inputs["condition"].Value.GetString()));
        Assert.Equal(["if1:True->yes:In", "if1:False->no:In"], Links(d));
        Assert.Contains("'Done' to 'after' dropped", report.Single(e => e is { ActivityId: "if1", Input: null }).Note);
        Assert.Equal(SupportLevel.Degraded, report.Single(e => e is { ActivityId: "if1", Input: "condition" }).Support);
    }

    [Fact]
    public void Fork_becomes_FlowFork_with_a_port_per_branch_and_Join_keeps_Elsa_2s_WaitAll_default()
    {
        var (d, report) = Convert(Elsa2(
            Act("fork", "Fork", Prop("Branches", "Json", """["Left","Right"]""", chosen: false)) + "," + Act("l", "WriteLine") + "," + Act("r", "WriteLine") + "," +
            Act("join", "Join") + "," + Act("any", "Join", Prop("Mode", "Literal", "WaitAny")) + "," + Act("end", "Finish"),
            Conn("fork", "Left", "l") + "," + Conn("fork", "Right", "r") + "," + Conn("fork", "Done", "l") + "," + Conn("l", "Done", "join") + "," +
            Conn("r", "Done", "join") + "," + Conn("join", "Done", "any") + "," + Conn("any", "Done", "end")));

        Assert.Equal("Elsa.FlowFork", Node(d, "fork").Type);
        Assert.Equal(("Object", """["Left","Right"]"""), Expr(Node(d, "fork"), "branches"));
        Assert.Equal(["Left", "Right"], ActivityCatalog.ListInput(Node(d, "fork"), "branches"));
        Assert.Equal(("Elsa.FlowJoin", "WaitAll"), (Node(d, "join").Type, Expr(Node(d, "join"), "mode").Value));
        Assert.Equal("WaitAny", Expr(Node(d, "any"), "mode").Value);
        Assert.Equal("Elsa.End", Node(d, "end").Type);
        Assert.Equal(["fork:Left->l:In", "fork:Right->r:In", "l:Done->join:In", "r:Done->join:In", "join:Done->any:In", "any:Done->end:In"], Links(d));
        Assert.Contains("'Done' to 'l' dropped", report.Single(e => e is { ActivityId: "fork", Input: null }).Note);
        Assert.Equal(SupportLevel.Supported, report.Single(e => e is { ActivityId: "join", Input: null }).Support);
    }

    [Fact]
    public void SignalReceived_becomes_Event_and_Timer_durations_become_TimeSpans()
    {
        var (d, report) = Convert(Elsa2(
            Act("sig", "SignalReceived", Prop("Signal", "Literal", "Fire", chosen: false)) + "," +
            Act("t1", "Timer", Prop("Timeout", "JavaScript", "Duration.FromSeconds(10)")) + "," +
            Act("t2", "Timer", Prop("Timeout", "JavaScript", "Duration.FromMinutes(1.5)")) + "," +
            Act("t3", "Timer", Prop("Timeout", "Literal", "00:05:00")) + "," + Act("after", "WriteLine"),
            Conn("sig", "Done", "t1") + "," + Conn("sig", "Extinguish", "after") + "," + Conn("t1", "Done", "t2") + "," + Conn("t2", "Done", "t3")));

        var signal = Node(d, "sig");
        Assert.Equal(("Elsa.Event", "Fire", true), (signal.Type, Expr(signal, "eventName").Value, signal.CanStartWorkflow));
        Assert.Equal(("Elsa.Timer", "00:00:10", false), (Node(d, "t1").Type, Expr(Node(d, "t1"), "interval").Value, Node(d, "t1").CanStartWorkflow));
        Assert.Equal(("Literal", "00:01:30"), Expr(Node(d, "t2"), "interval"));
        Assert.Equal("00:05:00", Expr(Node(d, "t3"), "interval").Value);
        Assert.Equal(["sig:Done->t1:In", "t1:Done->t2:In", "t2:Done->t3:In"], Links(d));
        Assert.Contains("'Extinguish' to 'after' dropped", report.Single(e => e is { ActivityId: "sig", Input: null }).Note);
        Assert.DoesNotContain(WorkflowValidator.Validate(d, HubCatalog.Instance), p => p.ActivityId is "sig" or "t1" or "t2" or "t3");
    }

    [Fact]
    public void SendHttpRequest_becomes_FlowSendHttpRequest_and_Done_fans_out_to_every_response_port()
    {
        var (d, _) = Convert(Elsa2(
            Act("req", "SendHttpRequest", Prop("Url", "Literal", "https://example.test/users"), Prop("Method", "Literal", "POST"),
                Prop("Content", "JavaScript", "JSON.stringify(input)"), Prop("ContentType", "Literal", "application/json"),
                Prop("SupportedStatusCodes", "Json", "[200, 404]", chosen: false)) + "," +
            Act("ok", "WriteLine") + "," + Act("missing", "WriteLine") + "," + Act("odd", "WriteLine") + "," + Act("always", "WriteLine"),
            Conn("req", "200", "ok") + "," + Conn("req", "404", "missing") + "," + Conn("req", "Unsupported Status Code", "odd") + "," + Conn("req", "Done", "always")));

        var request = Node(d, "req");
        Assert.Equal("Elsa.FlowSendHttpRequest", request.Type);
        Assert.Equal(("Literal", "https://example.test/users"), Expr(request, "url"));
        Assert.Equal(("Literal", "POST"), Expr(request, "method"));
        Assert.Equal(("JavaScript", "JSON.stringify(input)"), Expr(request, "content"));
        Assert.Equal("application/json", Expr(request, "contentType").Value);
        Assert.Equal(("Object", "[200, 404]"), Expr(request, "expectedStatusCodes"));
        Assert.Equal(
            ["req:200->ok:In", "req:404->missing:In", "req:Unmatched status code->odd:In", "req:200->always:In", "req:404->always:In", "req:Unmatched status code->always:In"],
            Links(d));
        Assert.DoesNotContain(WorkflowValidator.Validate(d, HubCatalog.Instance), p => p.ActivityId == "req");
    }

    [Fact]
    public void HttpEndpoint_and_WriteHttpResponse_keep_their_inputs_and_report_what_Elsa_3_does_not_have()
    {
        var (d, report) = Convert(Elsa2(
            Act("http", "HttpEndpoint", Prop("Path", "Literal", "/orders/{id}"), Prop("Methods", "Json", """["POST"]""", chosen: false),
                Prop("ReadContent", "Literal", "true"), Prop("TargetType", "Literal", "Acme.Order, Acme")) + "," +
            Act("resp", "WriteHttpResponse", Prop("Content", "Liquid", "Order {{ Input.id }}"), Prop("ContentType", "Literal", "text/plain"),
                Prop("StatusCode", "Literal", "Accepted"), Prop("CharSet", "Literal", "")),
            Conn("http", "Done", "resp")));

        var http = Node(d, "http");
        Assert.Equal(("Elsa.HttpEndpoint", true), (http.Type, http.CanStartWorkflow));
        Assert.Equal("/orders/{id}", Expr(http, "path").Value);
        Assert.Equal(("String[]", "Object", """["POST"]"""), (http.Inputs["supportedMethods"].TypeName, http.Inputs["supportedMethods"].ExpressionType, Expr(http, "supportedMethods").Value));
        Assert.DoesNotContain("readContent", http.Inputs.Keys);
        Assert.Contains("'TargetType' dropped", report.Single(e => e is { ActivityId: "http", Input: null }).Note);
        var response = Node(d, "resp");
        Assert.Equal(("Elsa.WriteHttpResponse", "Accepted", "text/plain"), (response.Type, Expr(response, "statusCode").Value, Expr(response, "contentType").Value));
        Assert.Equal(("Liquid", "Order {{ Input.id }}"), Expr(response, "content"));
        Assert.Equal(SupportLevel.Supported, report.Single(e => e is { ActivityId: "resp", Input: null }).Support); // an empty CharSet is no loss
        Assert.Equal(["http:Done->resp:In"], Links(d));
    }

    [Fact]
    public void SetVariable_refers_to_a_declared_variable_and_RunJavaScript_keeps_its_outcomes()
    {
        var (d, report) = Convert(Elsa2(
            Act("set", "SetVariable", Prop("VariableName", "Literal", "Document"), """{ "name": "Value", "syntax": "JavaScript", "expressions": { "Literal": "false", "JavaScript": "input.Body" } }""") + "," +
            Act("js", "RunJavaScript", Prop("Script", "Literal", "setOutcome('Big')"), Prop("PossibleOutcomes", "Json", """["Big"]""", chosen: false)) + "," +
            Act("big", "WriteLine", Prop("Text", "Literal", "big")),
            Conn("set", "Done", "js") + "," + Conn("js", "Big", "big"), variables: """{ "Counter": 3 }"""));

        Assert.Equal(["Counter", "Document"], d.Variables.Select(v => v.Name));
        var set = Node(d, "set");
        Assert.Equal("Elsa.SetVariable", set.Type);
        Assert.Equal("Document", (string?)set.Raw["variable"]!["name"]);
        Assert.Equal(("JavaScript", "input.Body"), Expr(set, "value"));
        var js = Node(d, "js");
        Assert.Equal(("Elsa.RunJavaScript", "Literal", "setOutcome('Big')"), (js.Type, js.Inputs["script"].ExpressionType, Expr(js, "script").Value));
        Assert.Equal(["Big"], ActivityCatalog.ListInput(js, "possibleOutcomes"));
        Assert.Equal(["set:Done->js:In", "js:Big->big:In"], Links(d));
        Assert.DoesNotContain(WorkflowValidator.Validate(d, HubCatalog.Instance), p => p.ActivityId is "set" or "js");
        Assert.Contains("written for Elsa 2", report.Single(e => e is { ActivityId: "js", Input: "script" }).Note);
        Assert.Equal(("Elsa.WriteLine", "big"), (Node(d, "big").Type, Expr(Node(d, "big"), "text").Value));
    }

    [Fact]
    public void SendEmail_and_Finish_with_outcomes_take_Elsa_3_names_and_inputs()
    {
        var (d, _) = Convert(Elsa2(
            Act("mail", "SendEmail", Prop("From", "Literal", "a@example.test"), Prop("To", "Json", """["b@example.test"]""", chosen: false),
                Prop("Subject", "Literal", "Hi"), Prop("Body", "Liquid", "Hello {{ Variables.Name }}")) + "," +
            Act("fin", "Finish", Prop("OutcomeNames", "Json", """["Approved"]""", chosen: false)),
            Conn("mail", "Done", "fin")));

        var mail = Node(d, "mail");
        Assert.Equal("Elsa.SendEmail", mail.Type);
        Assert.Equal(["a@example.test", "Hi"], new[] { Expr(mail, "from").Value, Expr(mail, "subject").Value });
        Assert.Equal(("Object", """["b@example.test"]"""), Expr(mail, "to"));
        Assert.Equal(("Liquid", "Hello {{ Variables.Name }}"), Expr(mail, "body"));
        Assert.Equal(("Elsa.Complete", "Object", """["Approved"]"""), (Node(d, "fin").Type, Node(d, "fin").Inputs["outcomes"].ExpressionType, Expr(Node(d, "fin"), "outcomes").Value));
    }

    [Fact]
    public void Other_activities_are_kept_verbatim_and_reported_unsupported_with_their_connections()
    {
        var original = Act("run", "RunWorkflow", Prop("WorkflowDefinitionId", "Literal", "child"));
        var (d, report) = Convert(Elsa2(Act("start", "WriteLine") + "," + original + "," + Act("next", "WriteLine"),
            Conn("start", "Done", "run") + "," + Conn("run", "Done", "next")));

        var run = Node(d, "run");
        Assert.Equal("RunWorkflow", run.Type);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(original), run.Raw["elsa2Activity"]));
        var entry = report.Single(e => e is { ActivityId: "run", Input: null });
        Assert.Equal(SupportLevel.Unsupported, entry.Support);
        Assert.Contains("Elsa 2 activity 'RunWorkflow'", entry.Note);
        Assert.Equal(["start:Done->run:In", "run:Done->next:In"], Links(d));
        Assert.Contains(PublishReadiness.Problems(d, HubCatalog.Instance, report), p => p.ActivityId == "run" && p.Message.Contains("cannot be published", StringComparison.Ordinal));
    }

    [Fact]
    public void Newtonsoft_references_and_value_arrays_are_resolved()
    {
        var json = Elsa2(
            Act("fork", "Fork", """{ "$id": "50", "name": "Branches", "syntax": "Json", "expressions": { "$id": "51", "Json": "[\"A\"]" } }""") + "," +
            """{ "activityId": "w", "type": "WriteLine", "properties": { "$id": "60", "$values": [ { "$id": "61", "name": "Text", "expressions": { "$id": "62", "Literal": "hi" } } ] } }""" + "," +
            """{ "activityId": "w2", "type": "WriteLine", "properties": [ { "$ref": "61" } ] }""",
            Conn("fork", "A", "w") + "," + Conn("w", "Done", "w2"));

        var (d, _) = Convert(json);

        Assert.Equal("hi", Expr(Node(d, "w"), "text").Value);
        Assert.Equal("hi", Expr(Node(d, "w2"), "text").Value);
        Assert.DoesNotContain("$id", Elsa2WorkflowConverter.Convert(json).Definition!["root"]!.ToJsonString());
        Assert.Equal("e2-test", d.DefinitionId);
        Assert.Equal(("Elsa 2 test", 3), (d.Name, d.Version));
        Assert.Equal("Burst", (string?)d.Raw["customProperties"]!["elsa2"]!["contextOptions"]!["contextFidelity"]);
    }

    [Theory]
    [InlineData("""{ "activities": [ { "activityId": "a", "type": "WriteLine", "properties": [ { "$ref": "99" } ] } ] }""", "$ref")]
    [InlineData("""{ "$id": "1", "activities": [ { "activityId": "a", "type": "WriteLine", "properties": [ { "$ref": "1" } ] } ] }""", "cyclic")]
    [InlineData("""{ "activities": [ { "activityId": "", "type": "WriteLine" } ] }""", "activityId")]
    [InlineData("""{ "activities": [ { "activityId": "a", "type": 5 } ] }""", "type")]
    [InlineData("""{ "activities": [ { "activityId": "a", "type": "WriteLine", "properties": { "Text": 1 } } ] }""", "properties")]
    [InlineData("""{ "activities": [ { "activityId": "a", "type": "WriteLine", "properties": [ { "name": "Text", "expressions": { "Literal": 5 } } ] } ] }""", "expression must be text")]
    [InlineData("""{ "activities": [ { "activityId": "a", "type": "WriteLine" } ], "connections": [ { "sourceActivityId": "a" } ] }""", "targetActivityId")]
    [InlineData("""{ "activities": [ { "activityId": "a", "type": "WriteLine" } ], "connections": {} }""", "connections")]
    [InlineData("""{ "activities": [ { "activityId": "a", "type": "WriteLine", "x": 1e400 } ] }""", "out of range")]
    public void Malformed_Elsa_2_gives_problems_not_exceptions(string json, string said)
    {
        var conversion = Elsa2WorkflowConverter.Convert(json);

        Assert.False(conversion.Succeeded);
        Assert.Contains(conversion.Problems, p => (p.Path + " " + p.Message).Contains(said, StringComparison.Ordinal));
    }

    [Fact]
    public void References_that_multiply_a_document_are_refused()
    {
        // Each level refers to the one before twice: 2^30 copies if expanded.
        var levels = string.Join(", ", Enumerable.Range(1, 30).Select(i => $$"""{ "$id": "r{{i}}", "a": { "$ref": "r{{i - 1}}" }, "b": { "$ref": "r{{i - 1}}" } }"""));
        var json = $$"""{ "activities": [ { "activityId": "a", "type": "WriteLine" } ], "bomb": [ { "$id": "r0", "x": 1 }, {{levels}} ] }""";

        var conversion = Elsa2WorkflowConverter.Convert(json);

        Assert.Contains(conversion.Problems, p => p.Message.Contains("expand", StringComparison.Ordinal));
    }

    [Fact]
    public void Nesting_is_limited_so_the_converted_definition_stays_readable()
    {
        string Nested(int depth) => Elsa2(Act("a", "WriteLine") + ", " + $$"""{ "activityId": "b", "type": "Custom", "deep": {{new string('[', depth)}}{{new string(']', depth)}} }""");
        // The document adds 3 levels above "deep" (root, activities, activity).
        var atLimit = Elsa2WorkflowConverter.Convert(Nested(Elsa2WorkflowConverter.MaxDepth - 3));
        var overLimit = Elsa2WorkflowConverter.Convert(Nested(Elsa2WorkflowConverter.MaxDepth - 2));

        Assert.True(atLimit.Succeeded, string.Join("\n", atLimit.Problems));
        Assert.True(WorkflowDefinitionReader.Read(atLimit.Definition!.ToJsonString()).Succeeded);
        Assert.Contains($"at most {Elsa2WorkflowConverter.MaxDepth} levels", Assert.Single(overLimit.Problems).Message);
    }
}

/// <summary>Elsa 2 through the API: converted on import, refused elsewhere with a pointer, bad input a 422 that says what to fix.</summary>
public abstract class Elsa2ImportApiTests(HubFactory hub)
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_converted_Elsa_2_HTTP_workflow_publishes_and_answers()
    {
        var account = await hub.NewAccountAsync();
        var path = "e2-" + Guid.NewGuid().ToString("N")[..8];
        var json = Elsa2WorkflowConverterTests.Elsa2(
            Elsa2WorkflowConverterTests.Act("http", "HttpEndpoint", Elsa2WorkflowConverterTests.Prop("Path", "Literal", path),
                Elsa2WorkflowConverterTests.Prop("Methods", "Json", """["POST"]""", chosen: false)) + "," +
            Elsa2WorkflowConverterTests.Act("if1", "If", Elsa2WorkflowConverterTests.Prop("Condition", "Literal", "true")) + "," +
            Elsa2WorkflowConverterTests.Act("yes", "WriteHttpResponse", Elsa2WorkflowConverterTests.Prop("Content", "Literal", "converted"),
                Elsa2WorkflowConverterTests.Prop("StatusCode", "Literal", "Accepted"), Elsa2WorkflowConverterTests.Prop("ContentType", "Literal", "text/plain")) + "," +
            Elsa2WorkflowConverterTests.Act("no", "Finish"),
            Elsa2WorkflowConverterTests.Conn("http", "Done", "if1") + "," + Elsa2WorkflowConverterTests.Conn("if1", "True", "yes") + "," +
            Elsa2WorkflowConverterTests.Conn("if1", "False", "no")).Replace("e2-test", path);

        var imported = await (await account.Http.PostAsync("/v1/workflows/import", Json(json))).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(imported["problems"]!.AsArray());
        Assert.All(imported["report"]!.AsArray(), e => Assert.Equal("supported", (string)e!["support"]!));
        await (await account.Http.PostAsync($"/v1/workflows/{path}/publish", null)).ExpectAsync(HttpStatusCode.OK);

        var response = await hub.Anonymous().PostAsync($"/workflows/http/{path}", Json("{}"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("converted", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Elsa_2_outside_import_and_broken_Elsa_2_are_422s_that_say_what_to_do()
    {
        var account = await hub.NewAccountAsync();
        var elsa2 = Elsa2WorkflowConverterTests.Elsa2(Elsa2WorkflowConverterTests.Act("a", "WriteLine"));
        var elsewhere = await (await account.Http.PostAsync("/v1/workflows", Json(elsa2))).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("POST /v1/workflows/import", elsewhere.ToJsonString());

        var cyclic = """{ "$id": "1", "activities": [ { "activityId": "a", "type": "WriteLine", "properties": [ { "$ref": "1" } ] } ] }""";
        var refused = await (await account.Http.PostAsync("/v1/workflows/import", Json(cyclic))).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("Elsa 2 definition cannot be converted", (string)refused["detail"]!);
        Assert.Contains("cyclic", (string)refused["detail"]!);

        var list = await (await account.Http.GetAsync("/v1/workflows")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["send-for-signature"], list["data"]!.AsArray().Select(w => (string)w!["definition_id"]!));
    }
}

public sealed class SqliteElsa2ImportApiTests(SqliteHub hub) : Elsa2ImportApiTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresElsa2ImportApiTests(PostgresHub hub) : Elsa2ImportApiTests(hub), IClassFixture<PostgresHub>;
