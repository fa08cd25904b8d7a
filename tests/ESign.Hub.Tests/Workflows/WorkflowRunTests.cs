using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ESign.Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static ESign.Hub.Tests.Workflows.ElsaSamples;

namespace ESign.Hub.Tests.Workflows;

/// <summary>Runs through the API: control flow, variables, waiting on timers and events, fork/join, faults with retry, cancel, versions.</summary>
public abstract class WorkflowRunTests(HubFactory hub)
{
    [Fact]
    public async Task A_run_follows_decisions_and_variables_and_journals_every_activity()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, " +
            $"{Activity("set", "Elsa.SetVariable", $"{Prop("variable", "{ \"name\": \"Total\" }")}, {Js("value", "getInput('amount') * 2")}")}, " +
            $"{Activity("big", "Elsa.FlowDecision", Js("condition", "variables.Total > 1000"))}, " +
            $"{Activity("yes", "Elsa.WriteLine", Literal("text", "approval needed"))}, " +
            $"{Activity("no", "Elsa.WriteLine", Literal("text", "auto-approved"))}, {Activity("end", "Elsa.End")}",
            $"{Link("start", "Done", "set")}, {Link("set", "Done", "big")}, {Link("big", "True", "yes")}, {Link("big", "False", "no")}, " +
            $"{Link("yes", "Done", "end")}, {Link("no", "Done", "end")}"));

        var large = await Run(account, id, """{ "amount": 600 }""");
        Assert.Equal("completed", (string)large["status"]!);
        Assert.Equal(1200, (int)large["variables"]!["Total"]!);
        var journal = large["journal"]!.AsArray();
        Assert.Equal(["start", "set", "big", "yes", "end"], journal.Select(e => (string)e!["activity_id"]!));
        Assert.Equal("True", (string)journal[2]!["outcome"]!);
        Assert.Equal("approval needed", (string)journal[3]!["inputs"]!["text"]!);

        var small = await Run(account, id, """{ "amount": 10 }""");
        Assert.Contains(small["journal"]!.AsArray(), e => (string)e!["activity_id"]! == "no");
        Assert.DoesNotContain(small["journal"]!.AsArray(), e => (string)e!["activity_id"]! == "yes");
    }

    [Fact]
    public async Task A_delay_suspends_the_run_and_its_timer_completes_it()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("wait", "Elsa.Delay", Literal("timeSpan", "00:00:01"))}, {Activity("end", "Elsa.End")}",
            $"{Link("start", "Done", "wait")}, {Link("wait", "Done", "end")}"));
        var run = await Run(account, id);
        Assert.Equal("suspended", (string)run["status"]!);
        Assert.Equal("timer", (string)run["waiting_for"]![0]!["kind"]!);

        var done = await WaitForStatus(account, (string)run["id"]!, "completed");
        Assert.Equal(["start", "wait", "wait", "end"], done["journal"]!.AsArray().Select(e => (string)e!["activity_id"]!));
    }

    [Fact]
    public async Task An_event_resumes_the_waiting_run_once_and_starts_event_triggered_workflows()
    {
        var account = await hub.NewAccountAsync();
        var waiting = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("approved", "Elsa.Event", Literal("eventName", "OrderApproved"))}, " +
            $"{Activity("set", "Elsa.SetVariable", $"{Prop("variable", "{ \"name\": \"By\" }")}, {Js("value", "getOutputFrom('approved', 'result').by")}")}",
            $"{Link("start", "Done", "approved")}, {Link("approved", "Done", "set")}"));
        var triggered = await Publish(account, Flowchart(
            $"{Activity("on", "Elsa.Event", $"{Literal("eventName", "OrderApproved")}, \"customProperties\": {{ \"canStartWorkflow\": true }}")}, " +
            $"{Activity("log", "Elsa.WriteLine", Literal("text", "started by the event"))}",
            Link("on", "Done", "log")));

        var run = await Run(account, waiting);
        Assert.Equal("suspended", (string)run["status"]!);
        var published = await (await account.Http.PostAsJsonAsync("/v1/workflow-events", new { name = "OrderApproved", payload = new { by = "ada" } }))
            .ExpectAsync(HttpStatusCode.Accepted);
        Assert.Equal(2, published["run_ids"]!.AsArray().Count);

        var resumed = await WaitForStatus(account, (string)run["id"]!, "completed");
        Assert.Equal("ada", (string)resumed["variables"]!["By"]!);
        var started = await (await account.Http.GetAsync($"/v1/workflow-runs?definition_id={triggered}")).ExpectAsync(HttpStatusCode.OK);
        var startedRun = Assert.Single(started["data"]!.AsArray())!;
        Assert.Equal("event", (string)startedRun["trigger"]!);
        await WaitForStatus(account, (string)startedRun["id"]!, "completed");

        // A second event finds nothing waiting: the run resumed once.
        var again = await (await account.Http.PostAsJsonAsync("/v1/workflow-events", new { name = "OrderApproved" })).ExpectAsync(HttpStatusCode.Accepted);
        Assert.Single(again["run_ids"]!.AsArray()); // only a new triggered run
        var journal = (await Get(account, (string)run["id"]!))["journal"]!.AsArray();
        Assert.Single(journal, e => (string)e!["activity_id"]! == "set");
    }

    [Fact]
    public async Task An_event_with_a_correlation_id_resumes_only_the_runs_started_with_it()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("signed", "Elsa.Event", Literal("eventName", "DealSigned"))}, {Activity("end", "Elsa.End")}",
            $"{Link("start", "Done", "signed")}, {Link("signed", "Done", "end")}"));
        var acme = await (await account.Http.PostAsJsonAsync($"/v1/workflows/{id}/runs", new { correlation_id = "deal-acme" })).ExpectAsync(HttpStatusCode.Created);
        var globex = await (await account.Http.PostAsJsonAsync($"/v1/workflows/{id}/runs", new { correlation_id = "deal-globex" })).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("deal-acme", (string)acme["correlation_id"]!);

        var published = await (await account.Http.PostAsJsonAsync("/v1/workflow-events", new { name = "DealSigned", correlation_id = "deal-acme" }))
            .ExpectAsync(HttpStatusCode.Accepted);
        Assert.Equal((string)acme["id"]!, (string)Assert.Single(published["run_ids"]!.AsArray())!);
        await WaitForStatus(account, (string)acme["id"]!, "completed");
        Assert.Equal("suspended", (string)(await Get(account, (string)globex["id"]!))["status"]!);
        var byDeal = await (await account.Http.GetAsync("/v1/workflow-runs?correlation_id=deal-globex")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((string)globex["id"]!, (string)Assert.Single(byDeal["data"]!.AsArray())!["id"]!);
    }

    [Fact]
    public async Task Fork_runs_every_branch_and_a_WaitAll_join_continues_once_all_arrived()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("fork", "Elsa.FlowFork", Prop("branches", "[\"A\", \"B\"]"))}, " +
            $"{Activity("a", "Elsa.SetVariable", $"{Prop("variable", "{ \"name\": \"A\" }")}, {Literal("value", "done")}")}, " +
            $"{Activity("b", "Elsa.Delay", Literal("timeSpan", "00:00:01"))}, " +
            $"{Activity("join", "Elsa.FlowJoin", Literal("mode", "WaitAll"))}, {Activity("after", "Elsa.WriteLine", Literal("text", "joined"))}",
            $"{Link("start", "Done", "fork")}, {Link("fork", "A", "a")}, {Link("fork", "B", "b")}, {Link("a", "Done", "join")}, " +
            $"{Link("b", "Done", "join")}, {Link("join", "Done", "after")}"));
        var run = await Run(account, id);
        Assert.Equal("suspended", (string)run["status"]!); // branch A arrived, B waits on its delay
        Assert.DoesNotContain(run["journal"]!.AsArray(), e => (string)e!["activity_id"]! == "after");

        var done = await WaitForStatus(account, (string)run["id"]!, "completed");
        Assert.Single(done["journal"]!.AsArray(), e => (string)e!["activity_id"]! == "after");
    }

    [Fact]
    public async Task A_WaitAny_join_continues_on_the_first_branch_and_cancels_the_other()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("fork", "Elsa.FlowFork", Prop("branches", "[\"Fast\", \"Slow\"]"))}, " +
            $"{Activity("fast", "Elsa.WriteLine", Literal("text", "fast"))}, {Activity("slow", "Elsa.Event", Literal("eventName", "never"))}, " +
            $"{Activity("join", "Elsa.FlowJoin", Literal("mode", "WaitAny"))}, {Activity("after", "Elsa.WriteLine", Literal("text", "joined"))}",
            $"{Link("start", "Done", "fork")}, {Link("fork", "Fast", "fast")}, {Link("fork", "Slow", "slow")}, {Link("fast", "Done", "join")}, " +
            $"{Link("slow", "Done", "join")}, {Link("join", "Done", "after")}"));
        var run = await Run(account, id);
        Assert.Equal("completed", (string)run["status"]!);
        Assert.Empty(run["waiting_for"]!.AsArray());
    }

    [Fact]
    public async Task A_failing_script_faults_the_run_with_an_incident_and_retry_continues_from_it()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("check", "Elsa.RunJavaScript", Literal("script", "if (!variables.Ready) throw new Error('not ready'); 'ok'"))}, " +
            $"{Activity("end", "Elsa.End")}",
            $"{Link("start", "Done", "check")}, {Link("check", "Done", "end")}"));
        var run = await Run(account, id);
        Assert.Equal("faulted", (string)run["status"]!);
        Assert.Equal("check", (string)run["incident"]!["activity_id"]!);
        Assert.Contains("not ready", (string)run["incident"]!["message"]!);

        // Still faulted after a retry (nothing changed), and the journal shows both attempts at the same activity.
        var retried = await (await account.Http.PostAsync($"/v1/workflow-runs/{run["id"]}/retry", null)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("faulted", (string)retried["status"]!);
        Assert.Equal(2, retried["journal"]!.AsArray().Count(e => (string)e!["activity_id"]! == "check"));
        Assert.DoesNotContain(retried["journal"]!.AsArray(), e => (string)e!["activity_id"]! == "start" && (int)e["sequence"]! > 1);

        await (await account.Http.PostAsync($"/v1/workflow-runs/{run["id"]}/cancel", null)).ExpectProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Cancel_stops_a_waiting_run_and_it_is_not_resumed_later()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("wait", "Elsa.Event", Literal("eventName", "Go"))}, {Activity("end", "Elsa.End")}",
            $"{Link("start", "Done", "wait")}, {Link("wait", "Done", "end")}"));
        var run = await Run(account, id);
        var canceled = await (await account.Http.PostAsync($"/v1/workflow-runs/{run["id"]}/cancel", null)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("canceled", (string)canceled["status"]!);
        var published = await (await account.Http.PostAsJsonAsync("/v1/workflow-events", new { name = "Go" })).ExpectAsync(HttpStatusCode.Accepted);
        Assert.Empty(published["run_ids"]!.AsArray());
        Assert.Equal("canceled", (string)(await Get(account, (string)run["id"]!))["status"]!);
    }

    [Fact]
    public async Task A_run_keeps_the_version_it_started_on()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("wait", "Elsa.Event", Literal("eventName", "Continue"))}, {Activity("say", "Elsa.WriteLine", Literal("text", "v1"))}",
            $"{Link("start", "Done", "wait")}, {Link("wait", "Done", "say")}"));
        var old = await Run(account, id);
        var v2 = Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("wait", "Elsa.Event", Literal("eventName", "Continue"))}, {Activity("say", "Elsa.WriteLine", Literal("text", "v2"))}",
            $"{Link("start", "Done", "wait")}, {Link("wait", "Done", "say")}").Replace("\"definitionId\": \"d1\"", $"\"definitionId\": \"{id}\"");
        await (await account.Http.PutAsync($"/v1/workflows/{id}", Body(v2))).ExpectAsync(HttpStatusCode.OK);
        await (await account.Http.PostAsync($"/v1/workflows/{id}/publish", null)).ExpectAsync(HttpStatusCode.OK);
        var fresh = await Run(account, id);
        Assert.Equal(1, (int)old["definition_version"]!);
        Assert.Equal(2, (int)fresh["definition_version"]!);

        await (await account.Http.PostAsJsonAsync("/v1/workflow-events", new { name = "Continue" })).ExpectAsync(HttpStatusCode.Accepted);
        var oldDone = await WaitForStatus(account, (string)old["id"]!, "completed");
        var freshDone = await WaitForStatus(account, (string)fresh["id"]!, "completed");
        Assert.Equal("v1", (string)oldDone["journal"]!.AsArray().Last()!["inputs"]!["text"]!);
        Assert.Equal("v2", (string)freshDone["journal"]!.AsArray().Last()!["inputs"]!["text"]!);
    }

    [Fact]
    public async Task Bad_run_requests_are_problems_and_runs_are_private_to_their_account()
    {
        var account = await hub.NewAccountAsync();
        await (await account.Http.PostAsJsonAsync("/v1/workflows/nope/runs", new { })).ExpectProblemAsync(HttpStatusCode.NotFound);
        var draftOnly = "draft-" + Guid.NewGuid().ToString("N")[..8];
        await (await account.Http.PostAsync("/v1/workflows", Body(Flowchart(Activity("start", "Elsa.Start"))
            .Replace("\"definitionId\": \"d1\"", $"\"definitionId\": \"{draftOnly}\"")))).ExpectAsync(HttpStatusCode.Created);
        await (await account.Http.PostAsJsonAsync($"/v1/workflows/{draftOnly}/runs", new { })).ExpectProblemAsync(HttpStatusCode.Conflict);
        var id = await Publish(account, Flowchart(Activity("start", "Elsa.Start")));
        await (await account.Http.PostAsync($"/v1/workflows/{id}/runs", Body("""{ "input": [1, 2] }"""))).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await account.Http.PostAsync($"/v1/workflows/{id}/runs", Body("{ not json"))).ExpectProblemAsync(HttpStatusCode.BadRequest);
        await (await account.Http.GetAsync("/v1/workflow-runs?status=sleeping")).ExpectProblemAsync(HttpStatusCode.BadRequest);
        await (await account.Http.PostAsJsonAsync("/v1/workflow-events", new { name = "" })).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);

        var run = await Run(account, id);
        var stranger = await hub.NewAccountAsync();
        await (await stranger.Http.GetAsync($"/v1/workflow-runs/{run["id"]}")).ExpectProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.Http.PostAsync($"/v1/workflow-runs/{run["id"]}/cancel", null)).ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty((await (await stranger.Http.GetAsync("/v1/workflow-runs")).ExpectAsync(HttpStatusCode.OK))["data"]!.AsArray());
    }

    internal static string Js(string name, string script) =>
        $"\"{name}\": {{ \"typeName\": \"Object\", \"expression\": {{ \"type\": \"JavaScript\", \"value\": {System.Text.Json.JsonSerializer.Serialize(script)} }} }}";

    internal static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Creates and publishes a definition under a fresh id; returns the id.</summary>
    internal static Task<string> Publish(HubClient account, string definition) => Publish(account.Http, definition);

    internal static async Task<string> Publish(HttpClient http, string definition)
    {
        var id = "wf-" + Guid.NewGuid().ToString("N")[..10];
        await (await http.PostAsync("/v1/workflows", Body(definition.Replace("\"definitionId\": \"d1\"", $"\"definitionId\": \"{id}\""))))
            .ExpectAsync(HttpStatusCode.Created);
        await (await http.PostAsync($"/v1/workflows/{id}/publish", null)).ExpectAsync(HttpStatusCode.OK);
        return id;
    }

    internal static Task<JsonNode> Run(HubClient account, string definitionId, string input = "{}") => Run(account.Http, definitionId, input);

    internal static async Task<JsonNode> Run(HttpClient http, string definitionId, string input = "{}") =>
        await (await http.PostAsync($"/v1/workflows/{definitionId}/runs", Body($"{{ \"input\": {input} }}"))).ExpectAsync(HttpStatusCode.Created);

    internal static Task<JsonNode> Get(HubClient account, string runId) => Get(account.Http, runId);

    internal static async Task<JsonNode> Get(HttpClient http, string runId) =>
        await (await http.GetAsync($"/v1/workflow-runs/{runId}")).ExpectAsync(HttpStatusCode.OK);

    /// <summary>Polls the run until it has the status (timers and resumes run on the hub's worker).</summary>
    internal static Task<JsonNode> WaitForStatus(HubClient account, string runId, string status, int seconds = 20) =>
        WaitForStatus(account.Http, runId, status, seconds);

    internal static async Task<JsonNode> WaitForStatus(HttpClient http, string runId, string status, int seconds = 20)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        JsonNode run;
        do
        {
            run = await Get(http, runId);
            if ((string)run["status"]! == status) return run;
            await Task.Delay(100);
        } while (DateTime.UtcNow < until);
        Assert.Fail($"Run {runId} is {run["status"]} after {seconds} s, not {status}: {run.ToJsonString()}");
        return run;
    }
}

public sealed class SqliteWorkflowRunTests(SqliteHub hub) : WorkflowRunTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresWorkflowRunTests(PostgresHub hub) : WorkflowRunTests(hub), IClassFixture<PostgresHub>;
