using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ESign.Hub.Tests.Infrastructure;
using static ESign.Hub.Tests.Workflows.ElsaSamples;
using static ESign.Hub.Tests.Workflows.WorkflowRunTests;

namespace ESign.Hub.Tests.Workflows;

/// <summary>
/// Elsa 3 semantics one rule at a time, through the API: where a flowchart starts, output and input bindings to
/// variables (memoryReference, Variable expressions), HTTP route data, query, headers and parsed content, and the
/// ports of FlowSendHttpRequest.
/// </summary>
public abstract class ElsaSemanticsTests(HubFactory hub)
{
    private static string UniquePath(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private static string Variables(params (string Id, string Name)[] variables) =>
        "[" + string.Join(", ", variables.Select(v => $$"""{ "id": "{{v.Id}}", "name": "{{v.Name}}", "typeName": "Object", "isArray": false }""")) + "]";

    /// <summary>A flowchart with declared variables and, when given, Elsa 3.0's root.start.</summary>
    private static string Definition(string activities, string connections, string variables = "[]", string? rootStart = null) =>
        Flowchart(activities, connections)
            .Replace("\"variables\": []", $"\"variables\": {variables}")
            .Replace("\"id\": \"flow1\",", rootStart is null ? "\"id\": \"flow1\"," : $"\"id\": \"flow1\", \"start\": \"{rootStart}\",");

    private static string Bound(string property, string variableId) =>
        $"\"{property}\": {{ \"typeName\": \"Object\", \"memoryReference\": {{ \"id\": \"{variableId}\" }} }}";

    private static string Liquid(string name, string template) =>
        $"\"{name}\": {{ \"typeName\": \"String\", \"expression\": {{ \"type\": \"Liquid\", \"value\": {System.Text.Json.JsonSerializer.Serialize(template)} }} }}";

    private static string Endpoint(string id, string path, string methods, string extra = "") => Activity(id, "Elsa.HttpEndpoint",
        $"{Literal("path", path)}, {Prop("supportedMethods", $"{{ \"typeName\": \"String[]\", \"expression\": {{ \"type\": \"Object\", \"value\": \"[\\\"{methods}\\\"]\" }} }}")}, " +
        $"\"customProperties\": {{ \"canStartWorkflow\": true }}{(extra.Length > 0 ? ", " + extra : "")}");

    private static string[] Ran(JsonNode run) => run["journal"]!.AsArray().Select(e => $"{e!["activity_id"]}:{e["outcome"]}").ToArray();

    [Fact]
    public async Task Without_Start_or_trigger_a_run_begins_at_the_activity_with_no_inbound_connection_not_the_first_listed()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, Flowchart(
            $"{Activity("second", "Elsa.WriteLine", Literal("text", "second"))}, {Activity("first", "Elsa.WriteLine", Literal("text", "first"))}",
            Link("first", "Done", "second")));

        var run = await Run(account, id);

        Assert.Equal("completed", (string)run["status"]!);
        Assert.Equal(["first:Done", "second:Done"], Ran(run));
    }

    [Fact]
    public async Task Root_start_names_where_a_run_begins_even_inside_a_loop()
    {
        // count → check → (False) count … (True) done: every activity has an inbound connection.
        var activities = $"{Activity("count", "Elsa.SetVariable", $"{Prop("variable", "{ \"name\": \"N\" }")}, {Js("value", "(variables.N || 0) + 1")}")}, " +
            $"{Activity("check", "Elsa.FlowDecision", Js("condition", "(variables.N || 0) >= 2"))}, {Activity("done", "Elsa.WriteLine", Literal("text", "done"))}";
        var connections = $"{Link("count", "Done", "check")}, {Link("check", "False", "count")}, {Link("check", "True", "done")}";
        var account = await hub.NewAccountAsync();
        var fromCheck = await Publish(account, Definition(activities, connections, rootStart: "check"));
        var fromFirst = await Publish(account, Definition(activities, connections));

        Assert.Equal(["check:False", "count:Done", "check:False", "count:Done", "check:True", "done:Done"], Ran(await Run(account, fromCheck)));
        // No root.start and no activity without an inbound connection: Elsa begins at the first activity.
        Assert.Equal(["count:Done", "check:False", "count:Done", "check:True", "done:Done"], Ran(await Run(account, fromFirst)));
    }

    [Fact]
    public async Task An_output_bound_to_a_variable_by_memoryReference_is_written_into_it_for_JavaScript_and_Liquid()
    {
        var account = await hub.NewAccountAsync();
        var path = UniquePath("users");
        var definitionId = await Publish(account, Definition(
            $"{Endpoint("http", path, "POST", Bound("parsedContent", "v-new-user"))}, " +
            $"{Activity("log", "Elsa.WriteLine", Liquid("text", "Created {{ Variables.NewUser.name }}"))}, " +
            $"{Activity("respond", "Elsa.WriteHttpResponse", $"{Literal("statusCode", "Created")}, {Js("content", "({ greeting: 'Welcome ' + getNewUser().name, email: variables.NewUser.email })")}")}",
            $"{Link("http", "Done", "log")}, {Link("log", "Done", "respond")}",
            Variables(("v-new-user", "NewUser"))));

        var response = await hub.Anonymous().PostAsync($"/workflows/http/{path}",
            new StringContent("""{ "name": "Ada", "email": "ada@example.com" }""", Encoding.UTF8, "application/json"));

        var body = await response.ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(("Welcome Ada", "ada@example.com"), ((string)body["greeting"]!, (string)body["email"]!));
        var runs = (await (await account.Http.GetAsync($"/v1/workflow-runs?definition_id={definitionId}")).ExpectAsync(HttpStatusCode.OK))["data"]!.AsArray();
        var run = await Get(account, (string)Assert.Single(runs)!["id"]!);
        Assert.Equal("Ada", (string)run["variables"]!["NewUser"]!["name"]!);
        Assert.Equal("Created Ada", (string)run["journal"]![1]!["inputs"]!["text"]!);
    }

    [Fact]
    public async Task Inputs_read_variables_through_memoryReference_and_Variable_expressions_by_id_or_name()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, Definition(
            $"{Activity("set", "Elsa.SetVariable", $"{Prop("variable", "{ \"id\": \"v-greeting\", \"name\": \"Greeting\" }")}, {Literal("value", "hello")}")}, " +
            $"{Activity("bound", "Elsa.WriteLine", Bound("text", "v-greeting"))}, " +
            $"{Activity("byId", "Elsa.WriteLine", Prop("text", """{ "typeName": "String", "expression": { "type": "Variable", "value": "v-greeting" } }"""))}, " +
            $"{Activity("byName", "Elsa.WriteLine", Prop("text", """{ "typeName": "String", "expression": { "type": "Variable", "value": "Greeting" } }"""))}, " +
            $"{Activity("byObject", "Elsa.WriteLine", Prop("text", """{ "typeName": "String", "expression": { "type": "Variable", "value": { "id": "v-greeting", "name": "Renamed" } } }"""))}",
            $"{Link("set", "Done", "bound")}, {Link("bound", "Done", "byId")}, {Link("byId", "Done", "byName")}, {Link("byName", "Done", "byObject")}",
            Variables(("v-greeting", "Greeting"))));

        var run = await Run(account, id);

        Assert.Equal("completed", (string)run["status"]!);
        Assert.Equal(["hello", "hello", "hello", "hello"], run["journal"]!.AsArray().Skip(1).Select(e => (string)e!["inputs"]!["text"]!));
    }

    [Fact]
    public async Task Route_parameters_query_headers_and_a_form_body_reach_the_workflow_in_Elsas_names()
    {
        var account = await hub.NewAccountAsync();
        var prefix = UniquePath("orders");
        await Publish(account, Definition(
            $"{Endpoint("http", $"/{prefix}/{{orderId}}/lines/{{line}}", "POST", Bound("routeData", "v-route"))}, " +
            $"{Activity("respond", "Elsa.WriteHttpResponse", Js("content",
                "({ order: getRoute().orderId, line: getOutputFrom('http', 'routeData').line, page: getOutputFrom('http', 'queryStringData').page, " +
                "tags: getOutputFrom('http', 'queryStringData').tag, trace: getOutputFrom('http', 'headers')['X-Trace'], " +
                "qty: getOutputFrom('http', 'parsedContent').qty, input: getInput('qty') })"))}",
            Link("http", "Done", "respond"), Variables(("v-route", "Route"))));

        var response = await hub.Anonymous().SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/workflows/http/{prefix.ToUpperInvariant()}/SO-9/lines/3?page=2&tag=a&tag=b")
        {
            Headers = { { "X-Trace", "t-1" } },
            Content = new FormUrlEncodedContent([new("qty", "5")]),
        });

        var body = await response.ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("SO-9", (string)body["order"]!); // the value keeps its case; literal segments match in any case
        Assert.Equal("3", (string)body["line"]!);
        Assert.Equal("2", (string)body["page"]!);
        Assert.Equal(["a", "b"], body["tags"]!.AsArray().Select(t => (string)t!));
        Assert.Equal("t-1", (string)body["trace"]!);
        Assert.Equal("5", (string)body["qty"]!);
        Assert.Equal("5", (string)body["input"]!);

        // Not the template's shape: nobody answers.
        await (await hub.Anonymous().PostAsync($"/workflows/http/{prefix}/SO-9/lines", null)).ExpectProblemAsync(HttpStatusCode.NotFound);
        // A template that answers the same URLs under other parameter names is a conflict.
        var other = "wf-" + Guid.NewGuid().ToString("N")[..10];
        var same = Flowchart(Endpoint("http", $"{prefix}/{{id}}/lines/{{n}}", "POST"), "").Replace("\"definitionId\": \"d1\"", $"\"definitionId\": \"{other}\"");
        await (await account.Http.PostAsync("/v1/workflows", Body(same))).ExpectAsync(HttpStatusCode.Created);
        var conflict = await (await account.Http.PostAsync($"/v1/workflows/{other}/publish", null)).ExpectProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("already answers", (string)conflict["detail"]!);
    }

    [Theory]
    [InlineData("""{ "typeName": "Int32[]", "expression": { "type": "Object", "value": "[\"200\",\"404\"]" } }""", "200,404")]
    [InlineData("""{ "typeName": "Int32[]", "expression": { "type": "Literal", "value": "[200, 404]" } }""", "200,404")]
    [InlineData("""{ "typeName": "List<Int32>", "expression": { "type": "Object", "value": [200, 404] } }""", "200,404")]
    [InlineData("""{ "typeName": "Int32", "expression": { "type": "Literal", "value": 200 } }""", "200")]
    [InlineData("""{ "typeName": "Int32[]", "expression": { "type": "Object", "value": "[]" } }""", "")]
    [InlineData(null, "")]
    public async Task Expected_status_codes_in_every_shape_Elsa_writes_give_one_port_per_code_or_Done_when_none(string? expected, string codes)
    {
        await using var api = new ScriptedApi();
        api.Answer("/ok", 200);
        api.Answer("/missing", 404);
        var ports = codes.Length == 0 ? ["Done"] : codes.Split(',');
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, Flowchart(
            $"{Activity("call", "Elsa.FlowSendHttpRequest", $"{Js("url", "getInput('url')")}{(expected is null ? "" : ", " + Prop("expectedStatusCodes", expected))}")}, " +
            string.Join(", ", ports.Append("Unmatched status code").Select((port, i) =>
                Activity($"on{i}", "Elsa.SetVariable", $"{Prop("variable", "{ \"name\": \"Port\" }")}, {Literal("value", port)}"))),
            string.Join(", ", ports.Append("Unmatched status code").Select((port, i) => Link("call", port, $"on{i}")))));

        async Task<string> PortFor(string path) => (string)(await Run(account, id, $$"""{ "url": "{{api.Url(path)}}" }"""))["variables"]!["Port"]!;
        Assert.Equal(codes.Length == 0 ? "Done" : "200", await PortFor("/ok"));
        Assert.Equal(codes.Length == 0 ? "Done" : codes.Contains("404") ? "404" : "Unmatched status code", await PortFor("/missing"));
    }
}

public sealed class SqliteElsaSemanticsTests(SqliteHub hub) : ElsaSemanticsTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresElsaSemanticsTests(PostgresHub hub) : ElsaSemanticsTests(hub), IClassFixture<PostgresHub>;
