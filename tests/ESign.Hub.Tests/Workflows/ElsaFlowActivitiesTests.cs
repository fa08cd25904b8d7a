using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ESign.Hub.Tests.Infrastructure;
using static ESign.Hub.Tests.Workflows.ElsaSamples;
using static ESign.Hub.Tests.Workflows.WorkflowRunTests;

namespace ESign.Hub.Tests.Workflows;

/// <summary>
/// Elsa's flow activities and scheduling rules, each run through the API: implicit joins, nested flowcharts, Complete, Fault,
/// SetOutput with workflow inputs, SetName, Correlate, ForEach, ParallelForEach, While and Break, and the bound on loops
/// that never wait.
/// </summary>
public abstract class ElsaFlowActivitiesTests(HubFactory hub)
{
    private static (string Id, string Outcome)[] Journal(JsonNode run) =>
        run["journal"]!.AsArray().Select(e => ((string)e!["activity_id"]!, (string)e["outcome"]!)).ToArray();

    private static string[] Lines(JsonNode run) =>
        run["journal"]!.AsArray().Where(e => (string)e!["activity_type"]! == "Elsa.WriteLine").Select(e => (string)e!["inputs"]!["text"]!).ToArray();

    private static string Body(string id, string activities, string connections = "") =>
        $"\"body\": {{ \"type\": \"Elsa.Flowchart\", \"id\": \"{id}\", \"version\": 1, \"activities\": [{activities}], \"connections\": [{connections}] }}";

    private static string Bool(string name, string value) =>
        Prop(name, $$"""{ "typeName": "Boolean", "expression": { "type": "Literal", "value": "{{value}}" } }""");

    private static string Add(string id, string variable, string amount) =>
        Activity(id, "Elsa.SetVariable", $"{Prop("variable", $"{{ \"name\": \"{variable}\" }}")}, {Js("value", $"(variables.{variable} || 0) + {amount}")}");

    [Fact]
    public async Task An_activity_with_two_inbound_paths_runs_once_after_both_arrived()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("fork", "Elsa.FlowFork", Prop("branches", "[\"A\", \"B\"]"))}, " +
            $"{Activity("a", "Elsa.WriteLine", Literal("text", "a"))}, {Activity("wait", "Elsa.Delay", Literal("timeSpan", "00:00:01"))}, " +
            $"{Activity("after", "Elsa.WriteLine", Literal("text", "after"))}",
            $"{Link("start", "Done", "fork")}, {Link("fork", "A", "a")}, {Link("fork", "B", "wait")}, {Link("a", "Done", "after")}, {Link("wait", "Done", "after")}"));

        var run = await Run(account, id);
        Assert.Equal("suspended", (string)run["status"]!); // a arrived; after waits for the delayed branch
        Assert.DoesNotContain(Journal(run), e => e.Id == "after");

        var done = await WaitForStatus(account, (string)run["id"]!, "completed");
        Assert.Equal(["a", "after"], Lines(done));
    }

    [Fact]
    public async Task A_WaitAllActive_join_continues_with_the_branches_that_were_taken_and_a_WaitAll_join_is_skipped()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("decide", "Elsa.FlowDecision", Bool("condition", "True"))}, " +
            $"{Activity("yes", "Elsa.WriteLine", Literal("text", "yes"))}, {Activity("no", "Elsa.WriteLine", Literal("text", "no"))}, " +
            $"{Activity("active", "Elsa.FlowJoin", Literal("mode", "WaitAllActive"))}, {Activity("all", "Elsa.FlowJoin", Literal("mode", "WaitAll"))}, " +
            $"{Activity("joined", "Elsa.WriteLine", Literal("text", "joined active"))}, {Activity("never", "Elsa.WriteLine", Literal("text", "joined all"))}",
            $"{Link("start", "Done", "decide")}, {Link("decide", "True", "yes")}, {Link("decide", "False", "no")}, " +
            $"{Link("yes", "Done", "active")}, {Link("no", "Done", "active")}, {Link("yes", "Done", "all")}, {Link("no", "Done", "all")}, " +
            $"{Link("active", "Done", "joined")}, {Link("all", "Done", "never")}"));

        var run = await Run(account, id);

        Assert.Equal("completed", (string)run["status"]!);
        Assert.Equal(["yes", "joined active"], Lines(run));
        Assert.DoesNotContain(Journal(run), e => e.Id is "all" or "never" or "no");
    }

    [Fact]
    public async Task A_nested_flowchart_runs_its_own_activities_from_its_start_then_continues_through_Done()
    {
        var account = await hub.NewAccountAsync();
        var inner = $$"""
            { "id": "inner", "type": "Elsa.Flowchart", "version": 1,
              "activities": [ {{Activity("one", "Elsa.WriteLine", Literal("text", "inner one"))}}, {{Activity("two", "Elsa.WriteLine", Literal("text", "inner two"))}} ],
              "connections": [ {{Link("one", "Done", "two")}} ] }
            """;
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {inner}, {Activity("after", "Elsa.WriteLine", Literal("text", "after"))}",
            $"{Link("start", "Done", "inner")}, {Link("inner", "Done", "after")}"));

        var run = await Run(account, id);

        Assert.Equal("completed", (string)run["status"]!);
        Assert.Equal([("start", "Done"), ("inner", "Running"), ("one", "Done"), ("two", "Done"), ("inner", "Done"), ("after", "Done")], Journal(run));
    }

    [Fact]
    public async Task Complete_ends_the_run_with_its_outcomes_and_drops_what_other_branches_wait_for()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("fork", "Elsa.FlowFork", Prop("branches", "[\"A\", \"B\"]"))}, " +
            $"{Activity("wait", "Elsa.Event", Literal("eventName", "never"))}, " +
            $"{Activity("complete", "Elsa.Complete", Prop("outcomes", """{ "typeName": "Object", "expression": { "type": "Object", "value": "[\"Approved\", \"Audit\"]" } }"""))}",
            $"{Link("start", "Done", "fork")}, {Link("fork", "A", "wait")}, {Link("fork", "B", "complete")}"));

        var run = await Run(account, id);

        Assert.Equal("completed", (string)run["status"]!);
        Assert.Equal(["Approved", "Audit"], run["outcomes"]!.AsArray().Select(o => (string)o!));
        Assert.Empty(run["waiting_for"]!.AsArray());
        Assert.Equal(("complete", "Approved, Audit"), Journal(run)[^1]);
    }

    [Fact]
    public async Task Fault_faults_the_run_with_its_code_and_message()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, " +
            $"{Activity("fault", "Elsa.Fault", $"{Literal("code", "E42")}, {Literal("category", "Stock")}, {Literal("message", "no stock left")}")}",
            Link("start", "Done", "fault")));

        var run = await Run(account, id);

        Assert.Equal("faulted", (string)run["status"]!);
        Assert.Equal("fault", (string)run["incident"]!["activity_id"]!);
        Assert.Equal("no stock left (code E42, category Stock, type System)", (string)run["incident"]!["message"]!);
    }

    [Fact]
    public async Task SetOutput_writes_a_workflow_output_from_declared_inputs_read_as_getName()
    {
        var account = await hub.NewAccountAsync();
        var definition = Flowchart(
            $"{Activity("greet", "Elsa.SetOutput", $"{Literal("outputName", "greeting")}, {Js("outputValue", "'Hello ' + getCustomer() + ' from ' + getInput('city')")}")}")
            .Replace("\"variables\": []",
                "\"variables\": [], \"inputs\": [{ \"name\": \"customer\", \"type\": \"String\" }, { \"name\": \"city\", \"type\": \"String\" }], " +
                "\"outputs\": [{ \"name\": \"greeting\", \"type\": \"String\" }]");
        var id = await Publish(account, definition);

        var run = await Run(account, id, """{ "customer": "Ada", "city": "London" }""");

        Assert.Equal("completed", (string)run["status"]!);
        Assert.Equal("Hello Ada from London", (string)run["output"]!["greeting"]!);
        Assert.Equal("Hello Ada from London", (string)run["journal"]![0]!["outputs"]!["greeting"]!);
        Assert.Null(run["variables"]!["customer"]); // inputs are read, not copied into variables
    }

    [Fact]
    public async Task SetName_names_the_run_and_Correlate_makes_events_for_the_new_correlation_id_resume_it()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("name", "Elsa.SetName", Js("value", "'Order ' + getInput('order')"))}, " +
            $"{Activity("correlate", "Elsa.Correlate", Js("correlationId", "'order-' + getInput('order')"))}, " +
            $"{Activity("paid", "Elsa.Event", Literal("eventName", "Paid"))}, {Activity("end", "Elsa.End")}",
            $"{Link("start", "Done", "name")}, {Link("name", "Done", "correlate")}, {Link("correlate", "Done", "paid")}, {Link("paid", "Done", "end")}"));

        var first = await Run(account, id, """{ "order": 42 }""");
        var second = await Run(account, id, """{ "order": 43 }""");
        Assert.Equal(("Order 42", "order-42"), ((string)first["name"]!, (string)first["correlation_id"]!));

        var published = await (await account.Http.PostAsJsonAsync("/v1/workflow-events", new { name = "Paid", correlation_id = "order-42" }))
            .ExpectAsync(HttpStatusCode.Accepted);
        Assert.Equal((string)first["id"]!, (string)Assert.Single(published["run_ids"]!.AsArray())!);
        await WaitForStatus(account, (string)first["id"]!, "completed");
        Assert.Equal("suspended", (string)(await Get(account, (string)second["id"]!))["status"]!);
    }

    [Fact]
    public async Task ForEach_runs_its_body_per_item_in_order_with_the_current_value_and_index()
    {
        var account = await hub.NewAccountAsync();
        var body = Body("each-body",
            $"{Add("sum", "Sum", "getCurrentValue()")}, {Activity("say", "Elsa.WriteLine", Js("text", "getCurrentIndex() + ':' + getCurrentValue()"))}",
            Link("sum", "Done", "say"));
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, " +
            $"{Activity("each", "Elsa.ForEach", $"{Js("items", "[10, 20, 30]")}, {Prop("currentValue", """{ "typeName": "Object", "memoryReference": { "id": "v-last" } }""")}, {body}")}, " +
            $"{Activity("after", "Elsa.WriteLine", Js("text", "'sum ' + variables.Sum"))}",
            $"{Link("start", "Done", "each")}, {Link("each", "Done", "after")}")
            .Replace("\"variables\": []", "\"variables\": [{ \"id\": \"v-last\", \"name\": \"Last\", \"typeName\": \"Object\" }]"));

        var run = await Run(account, id);

        Assert.Equal("completed", (string)run["status"]!);
        Assert.Equal(["0:10", "1:20", "2:30", "sum 60"], Lines(run));
        Assert.Equal(30, (int)run["variables"]!["Last"]!);
        Assert.Equal([("each", "Running"), ("each", "Done")], Journal(run).Where(e => e.Id == "each"));
    }

    [Fact]
    public async Task Break_ends_the_enclosing_ForEach_and_the_flowchart_goes_on_after_it()
    {
        var account = await hub.NewAccountAsync();
        var body = Body("each-body",
            $"{Activity("third", "Elsa.FlowDecision", Js("condition", "getCurrentValue() == 3"))}, {Activity("stop", "Elsa.Break")}, " +
            $"{Activity("say", "Elsa.WriteLine", Js("text", "'item ' + getCurrentValue()"))}",
            $"{Link("third", "True", "stop")}, {Link("third", "False", "say")}");
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("each", "Elsa.ForEach", $"{Js("items", "[1, 2, 3, 4, 5]")}, {body}")}, " +
            $"{Activity("after", "Elsa.WriteLine", Literal("text", "after"))}",
            $"{Link("start", "Done", "each")}, {Link("each", "Done", "after")}"));

        var run = await Run(account, id);

        Assert.Equal("completed", (string)run["status"]!);
        Assert.Equal(["item 1", "item 2", "after"], Lines(run));
    }

    [Fact]
    public async Task ParallelForEach_runs_a_body_per_item_at_once_and_continues_once_when_all_are_done()
    {
        var account = await hub.NewAccountAsync();
        var body = Body("par-body",
            $"{Activity("wait", "Elsa.Event", Js("eventName", "'go-' + getCurrentValue()"))}, {Activity("say", "Elsa.WriteLine", Js("text", "'got ' + getCurrentValue()"))}",
            Link("wait", "Done", "say"));
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("all", "Elsa.ParallelForEach", $"{Js("items", "['a', 'b']")}, {body}")}, " +
            $"{Activity("after", "Elsa.WriteLine", Literal("text", "after"))}",
            $"{Link("start", "Done", "all")}, {Link("all", "Done", "after")}"));

        var run = await Run(account, id);
        Assert.Equal("suspended", (string)run["status"]!);
        Assert.Equal(["go-a", "go-b"], run["waiting_for"]!.AsArray().Select(w => (string)w!["key"]!).Order(StringComparer.Ordinal));

        await (await account.Http.PostAsJsonAsync("/v1/workflow-events", new { name = "go-b" })).ExpectAsync(HttpStatusCode.Accepted);
        await RunWorkflows.WaitUntilAsync(async () => Lines(await Get(account, (string)run["id"]!)).Length > 0, 20, "go-b resumed nothing");
        var half = await Get(account, (string)run["id"]!);
        Assert.Equal("suspended", (string)half["status"]!); // the other body still waits
        Assert.Equal(["got b"], Lines(half));
        await (await account.Http.PostAsJsonAsync("/v1/workflow-events", new { name = "go-a" })).ExpectAsync(HttpStatusCode.Accepted);

        var done = await WaitForStatus(account, (string)run["id"]!, "completed");
        Assert.Equal(["got b", "got a", "after"], Lines(done));
        Assert.Single(Journal(done), e => e == ("all", "Done"));
    }

    [Fact]
    public async Task While_runs_its_body_while_the_condition_holds_and_Break_ends_it()
    {
        var account = await hub.NewAccountAsync();
        var counting = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("loop", "Elsa.While", $"{Js("condition", "(variables.N || 0) < 3")}, {Body("while-body", Add("inc", "N", "1"))}")}",
            Link("start", "Done", "loop")));
        var breaking = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, " +
            $"{Activity("loop", "Elsa.While", $"{Bool("condition", "True")}, {Body("while-body", $"{Add("inc", "N", "1")}, {Activity("enough", "Elsa.FlowDecision", Js("condition", "variables.N >= 2"))}, {Activity("stop", "Elsa.Break")}", $"{Link("inc", "Done", "enough")}, {Link("enough", "True", "stop")}")}")}, " +
            $"{Activity("after", "Elsa.WriteLine", Literal("text", "after"))}",
            $"{Link("start", "Done", "loop")}, {Link("loop", "Done", "after")}"));

        var counted = await Run(account, counting);
        var broken = await Run(account, breaking);

        Assert.Equal("completed", (string)counted["status"]!);
        Assert.Equal(3, (int)counted["variables"]!["N"]!);
        Assert.Equal(3, Journal(counted).Count(e => e.Id == "inc"));
        Assert.Equal("completed", (string)broken["status"]!);
        Assert.Equal(2, (int)broken["variables"]!["N"]!);
        Assert.Equal(["after"], Lines(broken));
    }

    [Fact]
    public async Task A_While_true_that_never_waits_faults_at_the_limit_instead_of_holding_the_worker()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("loop", "Elsa.While", $"{Bool("condition", "True")}, {Body("while-body", Activity("spin", "Elsa.WriteLine", Literal("text", "again")))}")}",
            Link("start", "Done", "loop")));

        var run = await Run(account, id);

        Assert.Equal("faulted", (string)run["status"]!);
        Assert.Contains("ran 10,000 activities without waiting", (string)run["incident"]!["message"]!);
        // With nothing in its body, a While whose condition holds could only spin: it faults at once.
        var empty = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("loop", "Elsa.While", $"{Bool("condition", "True")}, {Body("while-body", "")}")}",
            Link("start", "Done", "loop")));
        var spun = await Run(account, empty);
        Assert.Equal("faulted", (string)spun["status"]!);
        Assert.Contains("no body", (string)spun["incident"]!["message"]!);
    }
}

public sealed class SqliteElsaFlowActivitiesTests(SqliteHub hub) : ElsaFlowActivitiesTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresElsaFlowActivitiesTests(PostgresHub hub) : ElsaFlowActivitiesTests(hub), IClassFixture<PostgresHub>;
