using System.Net;
using System.Net.Http.Json;
using ESign.Hub.Tests.Infrastructure;
using static ESign.Hub.Tests.Workflows.ElsaSamples;
using static ESign.Hub.Tests.Workflows.WorkflowRunTests;

namespace ESign.Hub.Tests.Workflows;

/// <summary>Edges found in review: loops through a WaitAny join, durations written as text, paths other accounts want, payloads that arrive mid-run.</summary>
public abstract class WorkflowHardeningTests(HubFactory hub)
{
    [Fact]
    public async Task A_WaitAny_join_in_a_loop_fires_every_round_whichever_branch_wins()
    {
        var account = await hub.NewAccountAsync();
        // Each round: branch A wins when the round number is odd, branch B when even; the loop runs three rounds.
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, " +
            $"{Activity("next", "Elsa.SetVariable", $"{Prop("variable", "{ \"name\": \"Round\" }")}, {Js("value", "(variables.Round || 0) + 1")}")}, " +
            $"{Activity("fork", "Elsa.FlowFork", Prop("branches", "[\"A\", \"B\"]"))}, " +
            $"{Activity("a", "Elsa.FlowDecision", Js("condition", "variables.Round % 2 == 1"))}, " +
            $"{Activity("b", "Elsa.FlowDecision", Js("condition", "variables.Round % 2 == 0"))}, " +
            $"{Activity("waitA", "Elsa.Event", Literal("eventName", "never"))}, {Activity("waitB", "Elsa.Event", Literal("eventName", "never"))}, " +
            $"{Activity("join", "Elsa.FlowJoin", Literal("mode", "WaitAny"))}, " +
            $"{Activity("more", "Elsa.FlowDecision", Js("condition", "variables.Round < 3"))}, {Activity("end", "Elsa.End")}",
            $"{Link("start", "Done", "next")}, {Link("next", "Done", "fork")}, {Link("fork", "A", "a")}, {Link("fork", "B", "b")}, " +
            $"{Link("a", "True", "join")}, {Link("a", "False", "waitA")}, {Link("b", "True", "join")}, {Link("b", "False", "waitB")}, " +
            $"{Link("waitA", "Done", "join")}, {Link("waitB", "Done", "join")}, " +
            $"{Link("join", "Done", "more")}, {Link("more", "True", "next")}, {Link("more", "False", "end")}"));

        var run = await Run(account, id);
        Assert.Equal("completed", (string)run["status"]!);
        Assert.Equal(3, (int)run["variables"]!["Round"]!);
        Assert.Equal(3, run["journal"]!.AsArray().Count(e => (string)e!["activity_id"]! == "join"));
    }

    [Fact]
    public async Task A_duration_written_as_a_number_in_text_is_seconds_and_an_absurd_one_is_a_clear_fault()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("wait", "Elsa.Delay", Js("timeSpan", "getInput('delay')"))}, {Activity("end", "Elsa.End")}",
            $"{Link("start", "Done", "wait")}, {Link("wait", "Done", "end")}"));

        var run = await Run(account, id, """{ "delay": "30" }""");
        var due = (DateTime)run["waiting_for"]![0]!["due_at"]!;
        Assert.InRange(due - (DateTime)run["created_at"]!, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(40));

        var absurd = await Run(account, id, """{ "delay": "1e300" }""");
        Assert.Equal("faulted", (string)absurd["status"]!);
        Assert.Contains("must be a duration", (string)absurd["incident"]!["message"]!);
    }

    [Fact]
    public async Task A_run_whose_data_outgrows_the_limit_faults_with_an_incident_instead_of_growing_its_row()
    {
        var account = await hub.NewAccountAsync();
        // Each round stores another 900,000-character string in a new variable (ten rounds pass the 8 M character limit)
        // and answers a 100,000-character result, more than a journal entry keeps.
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, " +
            $"{Activity("grow", "Elsa.RunJavaScript", Literal("script", "setVariable('blob' + getVariable('Round'), 'x'.repeat(900000)); setVariable('Round', getVariable('Round') + 1); 'y'.repeat(100000)"))}, " +
            $"{Activity("more", "Elsa.FlowDecision", Js("condition", "getVariable('Round') < 12"))}, {Activity("end", "Elsa.End")}",
            $"{Link("start", "Done", "grow")}, {Link("grow", "Done", "more")}, {Link("more", "True", "grow")}, {Link("more", "False", "end")}")
            .Replace("\"variables\": []", "\"variables\": [{ \"id\": \"r\", \"name\": \"Round\", \"typeName\": \"Int32\", \"isArray\": false, \"value\": \"0\" }]"));

        var run = await Run(account, id);
        Assert.Equal("faulted", (string)run["status"]!);
        Assert.Contains("grew beyond", (string)run["incident"]!["message"]!);
        Assert.Empty(run["variables"]!.AsObject());
        // The journal keeps a note, not the megabytes each step produced.
        var journal = run["journal"]!.AsArray();
        Assert.True(journal.Count >= 20, $"{journal.Count} journal entries");
        Assert.All(journal, e => Assert.True(e!.ToJsonString().Length < 70_000));
        Assert.Contains(journal, e => e!["outputs"]!.ToJsonString().Contains("_truncated"));
    }

    [Fact]
    public async Task Another_account_cannot_take_over_a_path_by_reusing_the_definition_id()
    {
        var owner = await hub.NewAccountAsync();
        var path = "intake-" + Guid.NewGuid().ToString("N")[..8];
        var definition = Flowchart(
            $"{Activity("in", "Elsa.HttpEndpoint", $"{Literal("path", path)}, {Prop("supportedMethods", "[\"POST\"]")}, \"customProperties\": {{ \"canStartWorkflow\": true }}")}, " +
            $"{Activity("say", "Elsa.WriteHttpResponse", Literal("content", "owner"))}",
            Link("in", "Done", "say")).Replace("\"definitionId\": \"d1\"", "\"definitionId\": \"shared-name\"");
        await (await owner.Http.PostAsync("/v1/workflows", Body(definition))).ExpectAsync(HttpStatusCode.Created);
        await (await owner.Http.PostAsync("/v1/workflows/shared-name/publish", null)).ExpectAsync(HttpStatusCode.OK);

        var intruder = await hub.NewAccountAsync();
        await (await intruder.Http.PostAsync("/v1/workflows", Body(definition.Replace("\"value\": \"owner\"", "\"value\": \"intruder\""))))
            .ExpectAsync(HttpStatusCode.Created);
        await (await intruder.Http.PostAsync("/v1/workflows/shared-name/publish", null)).ExpectProblemAsync(HttpStatusCode.Conflict);

        var answer = await hub.Anonymous().PostAsync($"/workflows/http/{path}", Body("{}"));
        Assert.Equal("owner", await answer.Content.ReadAsStringAsync());
        var wrongMethod = await hub.Anonymous().GetAsync($"/workflows/http/{path}");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("POST", wrongMethod.Content.Headers.Allow.Single());
    }

    [Fact]
    public async Task An_event_for_a_run_that_is_still_executing_keeps_its_payload()
    {
        var account = await hub.NewAccountAsync();
        // The run waits for the event in one branch while the other branch is busy: an email (a commit point, which stores the
        // run and its bookmark) then a slow HTTP call. The event arrives during the call; its payload must reach the Event.
        await using var api = new ScriptedApi();
        api.Answer("/slow", 200);
        api.Delay("/slow", TimeSpan.FromSeconds(3));
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("fork", "Elsa.FlowFork", Prop("branches", "[\"Wait\", \"Work\"]"))}, " +
            $"{Activity("approved", "Elsa.Event", Literal("eventName", "Approved"))}, " +
            $"{Activity("set", "Elsa.SetVariable", $"{Prop("variable", "{ \"name\": \"By\" }")}, {Js("value", "getOutputFrom('approved', 'result').by")}")}, " +
            $"{Activity("mail", "Hub.Email.Send", $"{Literal("to", "ops@example.com")}, {Literal("subject", "working")}")}, " +
            $"{Activity("call", "Elsa.FlowSendHttpRequest", $"{Js("url", "getInput('url')")}, {Prop("expectedStatusCodes", "[200]")}")}",
            $"{Link("start", "Done", "fork")}, {Link("fork", "Wait", "approved")}, {Link("fork", "Work", "mail")}, {Link("mail", "Done", "call")}, " +
            $"{Link("approved", "Done", "set")}"));

        var starting = account.Http.PostAsync($"/v1/workflows/{id}/runs", Body($$"""{ "input": { "url": "{{api.Url("/slow")}}" } }"""));
        // Publish while the run is inside the slow call (its bookmark is stored by then: the Event ran first).
        string? runId = null;
        for (var i = 0; i < 50 && runId is null; i++)
        {
            await Task.Delay(100);
            var runs = await (await account.Http.GetAsync($"/v1/workflow-runs?definition_id={id}")).ExpectAsync(HttpStatusCode.OK);
            runId = (string?)runs["data"]!.AsArray().FirstOrDefault()?["id"];
        }
        Assert.NotNull(runId);
        await (await account.Http.PostAsJsonAsync("/v1/workflow-events", new { name = "Approved", payload = new { by = "ada" } }))
            .ExpectAsync(HttpStatusCode.Accepted);
        await (await starting).ExpectAsync(HttpStatusCode.Created);

        var done = await WaitForStatus(account, runId!, "completed");
        Assert.Equal("ada", (string)done["variables"]!["By"]!);
    }
}

public sealed class SqliteWorkflowHardeningTests(SqliteHub hub) : WorkflowHardeningTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresWorkflowHardeningTests(PostgresHub hub) : WorkflowHardeningTests(hub), IClassFixture<PostgresHub>;

/// <summary>Without Hub:Workflows:AllowLoopbackHttp (the default), not even test mode reaches loopback from a workflow.</summary>
public sealed class WorkflowLoopbackTests(WorkflowLoopbackTests.Hub hub) : IClassFixture<WorkflowLoopbackTests.Hub>
{
    public sealed class Hub() : HubFactory(Database.Sqlite)
    {
        protected override Dictionary<string, string?> Settings => new() { ["Hub:Workflows:AllowLoopbackHttp"] = "false" };
    }

    [Fact]
    public async Task A_test_mode_workflow_cannot_read_the_hubs_own_loopback_pages_by_default()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, HttpWorkflowTests.CallWorkflow());
        var run = await Run(account, id, """{ "url": "http://127.0.0.1:5080/dev/outbox" }""");
        Assert.Equal("faulted", (string)run["status"]!);
        Assert.StartsWith("'url': The URL must start with https://", (string)run["incident"]!["message"]!);
    }
}
