using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ESign.Hub.Tests.Infrastructure;
using ESign.Hub.Workflows.Runs;
using Microsoft.Extensions.DependencyInjection;
using static ESign.Hub.Tests.Workflows.ElsaSamples;
using static ESign.Hub.Tests.Workflows.WorkflowRunTests;

namespace ESign.Hub.Tests.Workflows;

/// <summary>
/// Races on the same runs: many events for one waiting run, one event for many runs, several workers claiming the same
/// due runs, and cancels landing while runs execute. Each run executes each activity once, and a canceled run stays
/// canceled. The hub uses a two-second lease (the shortest allowed) and one run at a time per worker, so a worker's claim can expire while it
/// works through a batch and another worker takes the run over.
/// </summary>
public abstract class WorkflowConcurrencyTests(HubFactory hub)
{
    internal static readonly Dictionary<string, string?> RaceSettings = new()
    {
        ["Hub:Workflows:LeaseSeconds"] = "2",
        ["Hub:Workflows:Concurrency"] = "1",
        ["Hub:Workflows:PollSeconds"] = "0.2",
    };

    [Fact]
    public async Task Many_concurrent_events_for_one_waiting_run_resume_it_once()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, RunWorkflows.EventThenEmail());
        var email = RunWorkflows.NewAddress("many-events");
        var name = "approved-" + Guid.NewGuid().ToString("N")[..8];
        var run = await Run(account, id, $$"""{ "email": "{{email}}", "event": "{{name}}" }""");

        var responses = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => Task.Run(async () =>
            await (await account.Http.PostAsJsonAsync("/v1/workflow-events", new { name })).ExpectAsync(HttpStatusCode.Accepted))));
        // Exactly one of the publishes resumed the run; the others found nothing waiting.
        Assert.Single(responses, r => r["run_ids"]!.AsArray().Any(x => (string)x! == (string)run["id"]!));

        var done = await WaitForStatus(account, (string)run["id"]!, "completed", seconds: 60);
        Assert.Equal(RunWorkflows.EventThenEmailJournal, RunWorkflows.JournalActivities(done));
        Assert.Single(await hub.OutboxAsync(email));
    }

    [Fact]
    public async Task One_event_resumes_fifty_waiting_runs_and_each_completes_once()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, RunWorkflows.EventThenEmail());
        var name = "batch-" + Guid.NewGuid().ToString("N")[..8];
        var runs = new Dictionary<string, string>();
        foreach (var _ in Enumerable.Range(0, 50))
        {
            var email = RunWorkflows.NewAddress("fifty");
            runs[(string)(await Run(account, id, $$"""{ "email": "{{email}}", "event": "{{name}}" }"""))["id"]!] = email;
        }

        var published = await (await account.Http.PostAsJsonAsync("/v1/workflow-events", new { name })).ExpectAsync(HttpStatusCode.Accepted);
        Assert.Equal(runs.Keys.Order(), published["run_ids"]!.AsArray().Select(x => (string)x!).Order());

        foreach (var (runId, email) in runs)
        {
            var done = await WaitForStatus(account, runId, "completed", seconds: 120);
            Assert.Equal(RunWorkflows.EventThenEmailJournal, RunWorkflows.JournalActivities(done));
            Assert.Single(await hub.OutboxAsync(email));
        }
    }

    [Fact]
    public async Task Workers_racing_for_the_same_due_runs_execute_each_run_once()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, RunWorkflows.DelayThenEmail());
        var runs = new Dictionary<string, string>();
        var started = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            var email = RunWorkflows.NewAddress("race");
            return ((string)(await Run(account, id, $$"""{ "email": "{{email}}", "delay": 3 }"""))["id"]!, email);
        }));
        foreach (var (runId, email) in started) runs[runId] = email;

        // Besides the hub's own worker, three more callers claim and execute due runs as fast as they can, as other
        // hub processes on the same database would.
        var runtime = hub.Services.GetRequiredService<WorkflowRuntime>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var (finished, claimedByRacers) = (0, 0);
        var workers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (Volatile.Read(ref finished) == 0 && !stop.IsCancellationRequested)
            {
                var claimed = await runtime.RunDueAsync(32, stop.Token);
                Interlocked.Add(ref claimedByRacers, claimed);
                if (claimed == 0) await Task.Delay(20, stop.Token);
            }
        })).ToList();
        try
        {
            foreach (var (runId, email) in runs)
            {
                var done = await WaitForStatus(account, runId, "completed", seconds: 120);
                Assert.Equal(RunWorkflows.DelayThenEmailJournal, RunWorkflows.JournalActivities(done));
            }
        }
        finally
        {
            Volatile.Write(ref finished, 1);
            await Task.WhenAll(workers);
        }
        foreach (var email in runs.Values) Assert.Single(await hub.OutboxAsync(email));
        Assert.True(claimedByRacers > 0, "the extra workers never claimed a run, so nothing raced"); // the test's own premise
    }

    [Fact]
    public async Task A_run_canceled_while_it_is_resumed_and_executing_stays_canceled()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("approved", "Elsa.Event", Js("eventName", "getInput('event')"))}, " +
            $"{Email("first", "First notice")}, {Activity("pause", "Elsa.Delay", Literal("timeSpan", "00:00:01"))}, " +
            $"{Email("second", "Second notice")}, {Activity("end", "Elsa.End")}",
            $"{Link("start", "Done", "approved")}, {Link("approved", "Done", "first")}, {Link("first", "Done", "pause")}, " +
            $"{Link("pause", "Done", "second")}, {Link("second", "Done", "end")}"));
        var name = "cancel-race-" + Guid.NewGuid().ToString("N")[..8];
        var runs = new List<(string Id, string Email)>();
        foreach (var _ in Enumerable.Range(0, 20))
        {
            var email = RunWorkflows.NewAddress("cancel");
            runs.Add(((string)(await Run(account, id, $$"""{ "email": "{{email}}", "event": "{{name}}" }"""))["id"]!, email));
        }

        // One event resumes every run while cancels arrive one after another: some land before the resume, some while a
        // run executes, some while it waits on its delay, some after it completed.
        var publish = Task.Run(async () =>
            await (await account.Http.PostAsJsonAsync("/v1/workflow-events", new { name })).ExpectAsync(HttpStatusCode.Accepted));
        var cancels = await Task.WhenAll(runs.Select((run, i) => Task.Run(async () =>
        {
            await Task.Delay(i * 60);
            var response = await account.Http.PostAsync($"/v1/workflow-runs/{run.Id}/cancel", null);
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict,
                $"cancel answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            return (run.Id, run.Email, Canceled: response.StatusCode == HttpStatusCode.OK ? await response.JsonAsync() : null);
        })));
        await publish;

        // Long enough for any run that wrongly went on to reach its next commit point (the delay, a lease, a worker poll).
        await Task.Delay(TimeSpan.FromSeconds(4));
        foreach (var (runId, email, canceled) in cancels)
        {
            var now = await Get(account, runId);
            var journal = RunWorkflows.JournalActivities(now);
            if (canceled is null)
            {
                // Answered 409: it had already completed.
                Assert.Equal("completed", (string)now["status"]!);
                Assert.Equal(["start", "approved", "approved", "first", "pause", "pause", "second", "end"], journal);
            }
            else
            {
                Assert.Equal("canceled", (string)canceled["status"]!);
                Assert.Equal("canceled", (string)now["status"]!);
                Assert.Equal(RunWorkflows.JournalActivities(canceled), journal);
                Assert.DoesNotContain("end", journal);
            }
            // Every email the run sent is in its journal, and every journaled email was sent once.
            Assert.Equal(journal.Count(a => a is "first" or "second"), (await hub.OutboxAsync(email)).Count);
        }
    }

    [Fact]
    public async Task An_event_and_a_cancel_for_the_same_run_at_the_same_moment_both_succeed_and_agree()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, RunWorkflows.EventThenEmail());
        var runs = new List<(string Id, string Email, string Event)>();
        foreach (var i in Enumerable.Range(0, 40))
        {
            var (email, name) = (RunWorkflows.NewAddress("both"), $"both-{i}-{Guid.NewGuid().ToString("N")[..6]}");
            runs.Add(((string)(await Run(account, id, $$"""{ "email": "{{email}}", "event": "{{name}}" }"""))["id"]!, email, name));
        }

        // Another worker claims due runs all along, as a second hub process would: the resumed runs are due at once.
        var runtime = hub.Services.GetRequiredService<WorkflowRuntime>();
        using var stop = new CancellationTokenSource();
        var worker = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (await runtime.RunDueAsync(32, CancellationToken.None) == 0) await Task.Delay(5);
            }
        });
        (string Id, string Email, bool Canceled)[] outcomes;
        try
        {
            outcomes = await Task.WhenAll(runs.Select(async run =>
            {
                var publish = Task.Run(() => account.Http.PostAsJsonAsync("/v1/workflow-events", new { name = run.Event }));
                var cancel = Task.Run(() => account.Http.PostAsync($"/v1/workflow-runs/{run.Id}/cancel", null));
                await (await publish).ExpectAsync(HttpStatusCode.Accepted);
                var canceled = await cancel;
                Assert.True(canceled.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict,
                    $"cancel answered {(int)canceled.StatusCode}: {await canceled.Content.ReadAsStringAsync()}");
                return (run.Id, run.Email, Canceled: canceled.StatusCode == HttpStatusCode.OK);
            }));
        }
        finally
        {
            await stop.CancelAsync();
            await worker;
        }

        // Long enough for a worker to pick up anything a cancel wrongly left runnable (it polls every 0.2 s; leases last 2 s).
        await Task.Delay(TimeSpan.FromSeconds(3));
        foreach (var (runId, email, wasCanceled) in outcomes)
        {
            // Whichever came first wins: a canceled run stays canceled, a run that completed first sent its one email.
            var run = wasCanceled ? await Get(account, runId) : await WaitForStatus(account, runId, "completed", seconds: 60);
            var journal = RunWorkflows.JournalActivities(run);
            if (wasCanceled)
                Assert.True((string)run["status"]! == "canceled", $"canceled, then: {run.ToJsonString()}");
            else
                Assert.Equal(RunWorkflows.EventThenEmailJournal, journal);
            Assert.Equal(journal.Count(a => a == "email"), (await hub.OutboxAsync(email)).Count);
        }
    }

    private static string Email(string id, string subject) =>
        Activity(id, "Hub.Email.Send", $"{Js("to", "getInput('email')")}, {Literal("subject", subject)}, {Literal("body", "A step of your workflow ran.")}");
}

public sealed class SqliteRaceHub() : HubFactory(Database.Sqlite)
{
    protected override Dictionary<string, string?> Settings => WorkflowConcurrencyTests.RaceSettings;
}

public sealed class PostgresRaceHub() : HubFactory(Database.Postgres)
{
    protected override Dictionary<string, string?> Settings => WorkflowConcurrencyTests.RaceSettings;
}

public sealed class SqliteWorkflowConcurrencyTests(SqliteRaceHub hub) : WorkflowConcurrencyTests(hub), IClassFixture<SqliteRaceHub>;

public sealed class PostgresWorkflowConcurrencyTests(PostgresRaceHub hub) : WorkflowConcurrencyTests(hub), IClassFixture<PostgresRaceHub>;
