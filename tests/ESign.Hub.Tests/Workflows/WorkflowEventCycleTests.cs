using System.Net;
using System.Text.Json.Nodes;
using ESign.Hub.Tests.Infrastructure;
using static ESign.Hub.Tests.Workflows.ElsaSamples;
using static ESign.Hub.Tests.Workflows.RunWorkflows;
using static ESign.Hub.Tests.Workflows.WorkflowRunTests;

namespace ESign.Hub.Tests.Workflows;

/// <summary>
/// Workflows that start themselves through events: a run's published event does not start its own workflow, or one
/// whose events led to it, again; an allowed loop stops at the chain limit; a burst stops at the per-account start rate.
/// Each refusal faults the publishing activity with an incident that says why. (One call once made 781 runs in 10 s.)
/// </summary>
public sealed class WorkflowEventCycleTests(WorkflowEventCycleTests.SmallEventLimitsHub hub) : IClassFixture<WorkflowEventCycleTests.SmallEventLimitsHub>
{
    public sealed class SmallEventLimitsHub() : HubFactory(Database.Sqlite)
    {
        protected override Dictionary<string, string?> Settings => new()
        {
            ["Hub:Workflows:MaxEventChain"] = "4",
            ["Hub:Workflows:MaxEventRunStartsPerSecond"] = "3",
        };
    }

    private static string OnEventPublish(string listen, string publish, bool allowOwnEvents = false) => Flowchart(
        $"{Activity("on", "Elsa.Event", $"{Literal("eventName", listen)}, \"customProperties\": {{ \"canStartWorkflow\": true{(allowOwnEvents ? ", \"startsOnItsOwnEvents\": true" : "")} }}")}, " +
        $"{Activity("publish", "Elsa.PublishEvent", Literal("eventName", publish))}",
        Link("on", "Done", "publish"));

    [Fact]
    public async Task A_workflow_that_publishes_its_own_trigger_event_runs_once_and_faults_naming_the_cycle()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, OnEventPublish("ping", "ping"));

        await PublishEventAsync(account, "ping");

        var runs = await SettledRunsAsync(account, id, 1);
        var incident = runs.Single()!["incident"]!;
        Assert.Equal("publish", (string)incident["activity_id"]!);
        Assert.Contains("cycle", (string)incident["message"]!);
        Assert.Contains("startsOnItsOwnEvents", (string)incident["message"]!);
    }

    [Fact]
    public async Task Two_workflows_that_start_each_other_stop_at_the_second()
    {
        var account = await hub.NewAccountAsync();
        var first = await Publish(account, OnEventPublish("left", "right"));
        var second = await Publish(account, OnEventPublish("right", "left"));

        await PublishEventAsync(account, "left");

        var firstRuns = await SettledRunsAsync(account, first, 1);
        Assert.Equal("completed", (string)firstRuns.Single()!["status"]!);
        var secondRun = (await SettledRunsAsync(account, second, 1)).Single()!;
        Assert.Equal("faulted", (string)secondRun["status"]!);
        Assert.Contains($"workflow '{first}'", (string)secondRun["incident"]!["message"]!);
    }

    [Fact]
    public async Task An_allowed_self_starting_workflow_stops_at_the_chain_limit()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, OnEventPublish("tick", "tick", allowOwnEvents: true));

        await PublishEventAsync(account, "tick");

        var runs = await SettledRunsAsync(account, id, 4);
        Assert.Equal(3, runs.Count(r => (string)r!["status"]! == "completed"));
        var last = runs.Single(r => (string)r!["status"]! == "faulted")!;
        Assert.Contains("Hub:Workflows:MaxEventChain", (string)last["incident"]!["message"]!);
    }

    [Fact]
    public async Task A_burst_of_event_starts_stops_at_the_accounts_rate()
    {
        var account = await hub.NewAccountAsync();
        var listener = await Publish(account, Flowchart(
            $"{Activity("on", "Elsa.Event", $"{Literal("eventName", "order")}, \"customProperties\": {{ \"canStartWorkflow\": true }}")}, {Activity("end", "Elsa.End")}",
            Link("on", "Done", "end")));
        // Five publishes in one pass: the fourth is over the 3 starts per second this hub allows.
        var burst = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, " + string.Join(", ", Enumerable.Range(1, 5).Select(i => Activity($"p{i}", "Elsa.PublishEvent", Literal("eventName", "order")))),
            string.Join(", ", new[] { "start", "p1", "p2", "p3", "p4", "p5" }.Zip(new[] { "p1", "p2", "p3", "p4", "p5" }, (a, b) => Link(a, "Done", b)))));

        var run = await Run(account, burst);

        Assert.Equal("faulted", (string)run["status"]!);
        Assert.True((string)run["incident"]!["activity_id"]! == "p4", run["incident"]!.ToJsonString());
        Assert.Contains("Hub:Workflows:MaxEventRunStartsPerSecond", (string)run["incident"]!["message"]!);
        Assert.Equal(3, (await SettledRunsAsync(account, listener, 3)).Count);
    }

    private static async Task PublishEventAsync(HubClient account, string name) =>
        await (await account.Http.PostJsonAsync("/v1/workflow-events", new { name })).ExpectAsync(HttpStatusCode.Accepted);

    /// <summary>Waits until the definition has <paramref name="expected"/> finished runs, then a moment longer to see that no more start.</summary>
    private static async Task<JsonArray> SettledRunsAsync(HubClient account, string definitionId, int expected)
    {
        JsonArray runs = [];
        await WaitUntilAsync(async () =>
        {
            runs = (await (await account.Http.GetAsync($"/v1/workflow-runs?definition_id={definitionId}&limit=100")).ExpectAsync(HttpStatusCode.OK))["data"]!.AsArray();
            return runs.Count >= expected && runs.All(r => (string)r!["status"]! is "completed" or "faulted");
        }, 20, $"{definitionId} did not finish {expected} runs");
        await Task.Delay(1500);
        runs = (await (await account.Http.GetAsync($"/v1/workflow-runs?definition_id={definitionId}&limit=100")).ExpectAsync(HttpStatusCode.OK))["data"]!.AsArray();
        Assert.Equal(expected, runs.Count);
        // The list shows no incident: read each run.
        var detailed = new JsonArray();
        foreach (var r in runs) detailed.Add(await Get(account, (string)r!["id"]!));
        return detailed;
    }
}
