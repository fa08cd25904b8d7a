using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ESign.Hub.Tests.Infrastructure;
using static ESign.Hub.Tests.Workflows.ElsaSamples;
using static ESign.Hub.Tests.Workflows.WorkflowRunTests;

namespace ESign.Hub.Tests.Workflows;

/// <summary>
/// Child runs over the API: Elsa.ExecuteWorkflow and Elsa.DispatchWorkflow start a published workflow of the same account
/// as a run of its own and can wait for it; a workflow whose type is another definition's name runs that definition the
/// same way. A workflow that runs itself stops at a depth limit, and another account's definitions are out of reach.
/// </summary>
public abstract class ChildWorkflowTests(HubFactory hub)
{
    /// <summary>A child that waits for the event <paramref name="eventName"/>, then writes a line with its input 'who'.</summary>
    private static string WaitingChild(string eventName) => Flowchart(
        $"{Activity("wait", "Elsa.Event", Literal("eventName", eventName))}, " +
        $"{Activity("say", "Elsa.WriteLine", Js("text", "'Hello ' + getInput('who')"))}",
        Link("wait", "Done", "say"));

    private static string Parent(string type, string childId, bool wait) => Flowchart(
        $"{Activity("start", "Elsa.Start")}, " +
        $"{Activity("child", type, $"{Literal("workflowDefinitionId", childId)}, {Js("input", "({ who: 'Ada' })")}, " +
            $"\"waitForCompletion\": {{ \"typeName\": \"Boolean\", \"expression\": {{ \"type\": \"Literal\", \"value\": \"{(wait ? "True" : "False")}\" }} }}")}, " +
        $"{Activity("after", "Elsa.WriteLine", Literal("text", "after"))}",
        $"{Link("start", "Done", "child")}, {Link("child", "Done", "after")}");

    private static async Task<JsonArray> RunsOf(HubClient account, string definitionId) =>
        (await (await account.Http.GetAsync($"/v1/workflow-runs?definition_id={definitionId}")).ExpectAsync(HttpStatusCode.OK))["data"]!.AsArray();

    private static string[] Activities(JsonNode run) => [.. run["journal"]!.AsArray().Select(e => $"{e!["activity_id"]}:{e["outcome"]}")];

    [Theory]
    [InlineData("Elsa.ExecuteWorkflow")]
    [InlineData("Elsa.DispatchWorkflow")]
    public async Task A_parent_that_waits_goes_on_only_once_its_child_run_completed(string type)
    {
        var account = await hub.NewAccountAsync();
        var eventName = "child-go-" + Guid.NewGuid().ToString("N")[..8];
        var childId = await Publish(account, WaitingChild(eventName));
        var parentId = await Publish(account, Parent(type, childId, wait: true));

        var parent = await Run(account, parentId);

        Assert.Equal("suspended", (string)parent["status"]!);
        Assert.Equal("child-run", (string)parent["waiting_for"]![0]!["kind"]!);
        var child = Assert.Single(await RunsOf(account, childId))!;
        Assert.Equal("workflow", (string)child["trigger"]!);
        Assert.Equal((string)parent["id"]!, (string)child["input"]!["ParentInstanceId"]!);
        Assert.Equal("Ada", (string)child["input"]!["who"]!);
        Assert.Equal((string)child["id"]!, (string)parent["waiting_for"]![0]!["key"]!);
        await WaitForStatus(account, (string)child["id"]!, "suspended");
        Assert.Equal("suspended", (string)(await Get(account, (string)parent["id"]!))["status"]!);

        await (await account.Http.PostAsJsonAsync("/v1/workflow-events", new { name = eventName })).ExpectAsync(HttpStatusCode.Accepted);

        var childDone = await WaitForStatus(account, (string)child["id"]!, "completed");
        Assert.Equal("Hello Ada", (string)childDone["journal"]!.AsArray().Single(e => (string)e!["activity_id"]! == "say")!["inputs"]!["text"]!);
        var done = await WaitForStatus(account, (string)parent["id"]!, "completed");
        Assert.Equal(["start:Done", "child:Suspended", "child:Done", "after:Done"], Activities(done));
        var result = done["journal"]![2]!["outputs"]!["result"]!;
        if (type == "Elsa.ExecuteWorkflow")
        {
            Assert.Equal((string)child["id"]!, (string)result["workflowInstanceId"]!);
            Assert.Equal("Finished", (string)result["status"]!);
        }
        else
        {
            Assert.IsType<JsonObject>(result); // the child's workflow outputs: it set none
        }
    }

    [Fact]
    public async Task A_parent_that_does_not_wait_completes_while_its_child_still_waits()
    {
        var account = await hub.NewAccountAsync();
        var eventName = "child-go-" + Guid.NewGuid().ToString("N")[..8];
        var childId = await Publish(account, WaitingChild(eventName));
        var parentId = await Publish(account, Parent("Elsa.DispatchWorkflow", childId, wait: false));

        var parent = await Run(account, parentId);

        Assert.Equal("completed", (string)parent["status"]!);
        var child = Assert.Single(await RunsOf(account, childId))!;
        await WaitForStatus(account, (string)child["id"]!, "suspended");
    }

    [Fact]
    public async Task A_child_that_faults_faults_the_waiting_parent_with_the_childs_run_named()
    {
        var account = await hub.NewAccountAsync();
        var childId = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("boom", "Elsa.RunJavaScript", Literal("script", "throw new Error('no coffee')"))}",
            Link("start", "Done", "boom")));
        var parentId = await Publish(account, Parent("Elsa.ExecuteWorkflow", childId, wait: true));

        var parent = await Run(account, parentId);

        var faulted = await WaitForStatus(account, (string)parent["id"]!, "faulted");
        var child = Assert.Single(await RunsOf(account, childId))!;
        Assert.Equal("child", (string)faulted["incident"]!["activity_id"]!);
        Assert.Contains($"child run {child["id"]} faulted", (string)faulted["incident"]!["message"]!);
    }

    [Fact]
    public async Task A_workflow_that_executes_itself_stops_at_the_depth_limit_with_a_clear_fault()
    {
        var account = await hub.NewAccountAsync();
        var selfId = "self-" + Guid.NewGuid().ToString("N")[..8];
        var definition = Parent("Elsa.ExecuteWorkflow", selfId, wait: false).Replace("\"definitionId\": \"d1\"", $"\"definitionId\": \"{selfId}\"");
        await (await account.Http.PostAsync("/v1/workflows", Body(definition))).ExpectAsync(HttpStatusCode.Created);
        await (await account.Http.PostAsync($"/v1/workflows/{selfId}/publish", null)).ExpectAsync(HttpStatusCode.OK);

        await Run(account, selfId);

        // 17 runs: the first and 16 nested ones; the deepest may not start another.
        await RunWorkflows.WaitUntilAsync(async () => (await RunsOf(account, selfId)).Any(r => (string)r!["status"]! == "faulted"), 60,
            "no run of the self-executing workflow faulted");
        var runs = await RunsOf(account, selfId);
        Assert.Equal(17, runs.Count);
        var faulted = Assert.Single(runs, r => (string)r!["status"]! == "faulted")!;
        Assert.All(runs.Where(r => r != faulted), r => Assert.Equal("completed", (string)r!["status"]!));
        var incident = (await Get(account, (string)faulted["id"]!))["incident"]!;
        Assert.Contains("a chain of 17 nested runs; at most 16 are allowed", (string)incident["message"]!);
    }

    [Fact]
    public async Task Another_accounts_workflow_cannot_be_run_as_a_child_or_used_as_an_activity()
    {
        var owner = await hub.NewAccountAsync();
        var childId = await Publish(owner, Flowchart(Activity("start", "Elsa.Start")).Replace("\"name\": \"test\"", "\"name\": \"Private Child\""));
        var stranger = await hub.NewAccountAsync();
        var parentId = await Publish(stranger, Parent("Elsa.ExecuteWorkflow", childId, wait: true));

        var run = await Run(stranger, parentId);

        Assert.Equal("faulted", (string)run["status"]!);
        Assert.Contains($"workflow '{childId}' has no published version in this account", (string)run["incident"]!["message"]!);
        Assert.Empty(await RunsOf(owner, childId));

        var asActivity = Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("child", "PrivateChild", $"\"workflowDefinitionId\": \"{childId}\"")}",
            Link("start", "Done", "child"));
        var imported = await (await stranger.Http.PostAsync("/v1/workflows/import", Body(asActivity))).ExpectAsync(HttpStatusCode.OK);
        var entry = imported["report"]!.AsArray().Single(e => (string)e!["activity_id"]! == "child" && e["input"] is null)!;
        Assert.Equal("unsupported", (string)entry["support"]!);
        Assert.Contains("no published workflow", (string)entry["note"]!);
    }

    /// <summary>A child usable as an activity: input 'who', writes a greeting.</summary>
    private static string GreetingChild(string definitionId) => $$"""
        { "definitionId": "{{definitionId}}", "name": "Greeting child", "version": 1, "variables": [],
          "inputs": [ { "name": "who", "type": "String" } ], "outcomes": [ "Greeted" ],
          "root": { "type": "Elsa.Flowchart", "id": "flow1", "activities": [
            {{Activity("say", "Elsa.WriteLine", Js("text", "'Hello ' + getWho()"))}} ], "connections": [] } }
        """;

    private static string GreetingParent(string port) => Flowchart(
        $"{Activity("start", "Elsa.Start")}, " +
        $"{Activity("greet", "GreetingChild", $"\"workflowDefinitionId\": \"designed-elsewhere\", {Literal("who", "Grace")}")}, " +
        $"{Activity("after", "Elsa.WriteLine", Literal("text", "after"))}",
        $"{Link("start", "Done", "greet")}, {Link("greet", port, "after")}");

    [Fact]
    public async Task A_workflow_used_as_an_activity_is_unsupported_until_its_definition_is_published_then_runs_as_a_child()
    {
        var account = await hub.NewAccountAsync();
        var parentJson = GreetingParent("Done");
        var before = await (await account.Http.PostAsync("/v1/workflows/import", Body(parentJson))).ExpectAsync(HttpStatusCode.OK);
        var parentId = (string)before["definition_id"]!;
        var entry = before["report"]!.AsArray().Single(e => (string)e!["activity_id"]! == "greet" && e["input"] is null)!;
        Assert.Equal("unsupported", (string)entry["support"]!);
        Assert.Contains("no published workflow 'designed-elsewhere' or workflow named as type 'GreetingChild' in this account", (string)entry["note"]!);
        var refused = await (await account.Http.PostAsync($"/v1/workflows/{parentId}/publish", null)).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("no published workflow", refused.ToJsonString());

        // The child, found by its name (the parent's workflowDefinitionId is the id it had where it was designed).
        var childId = "greeting-" + Guid.NewGuid().ToString("N")[..8];
        await (await account.Http.PostAsync("/v1/workflows", Body(GreetingChild(childId)))).ExpectAsync(HttpStatusCode.Created);
        await (await account.Http.PostAsync($"/v1/workflows/{childId}/publish", null)).ExpectAsync(HttpStatusCode.OK);
        // Its declared outcomes are ports: an unknown one is refused, Greeted and Done are known.
        var wrongPort = await (await account.Http.PostAsync("/v1/workflows/validate", Body(GreetingParent("Waved")))).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(wrongPort["problems"]!.AsArray(), p => ((string)p!["message"]!).Contains("unknown outcome port 'Waved' (known: Greeted, Done)"));
        var after = await (await account.Http.PostAsync("/v1/workflows/import", Body(parentJson))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("supported", (string)after["report"]!.AsArray().Single(e => (string)e!["activity_id"]! == "greet" && e["input"] is null)!["support"]!);
        await (await account.Http.PostAsync($"/v1/workflows/{parentId}/publish", null)).ExpectAsync(HttpStatusCode.OK);

        var run = await Run(account, parentId);

        var done = await WaitForStatus(account, (string)run["id"]!, "completed");
        Assert.Equal(["start:Done", "greet:Suspended", "greet:Done", "after:Done"], Activities(done));
        Assert.Equal("GreetingChild", (string)done["journal"]![1]!["activity_type"]!);
        var child = await Get(account, (string)Assert.Single(await RunsOf(account, childId))!["id"]!);
        Assert.Equal("Grace", (string)child["input"]!["who"]!);
        Assert.Equal("Hello Grace", (string)child["journal"]![0]!["inputs"]!["text"]!);
    }
}

public sealed class SqliteChildWorkflowTests(SqliteHub hub) : ChildWorkflowTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresChildWorkflowTests(PostgresHub hub) : ChildWorkflowTests(hub), IClassFixture<PostgresHub>;
