using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ESign.Hub.Tests.Infrastructure;
using Npgsql;
using static ESign.Hub.Tests.Workflows.WorkflowRunTests;

namespace ESign.Hub.Tests.Workflows;

/// <summary>
/// The hub process is killed (SIGKILL) while runs wait on timers and events, execute, and start; after a restart on the
/// same store every run completes exactly once: one journal entry per executed activity, each email sent once, no run lost.
/// </summary>
public abstract class WorkflowRecoveryTests(Database database) : IAsyncLifetime
{
    private const string Key = "esk_test_workflow_recovery_key_0123456789";
    private readonly string _data = Directory.CreateTempSubdirectory("esign-hub-wf-crash-").FullName;
    private readonly string _postgresDatabase = "hub_test_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A short lease so runs left by the killed process are taken over within seconds.</summary>
    private Dictionary<string, string> Settings
    {
        get
        {
            var settings = new Dictionary<string, string>
            {
                ["Hub:Workflows:LeaseSeconds"] = "3",
                ["Hub:Workflows:PollSeconds"] = "0.2",
            };
            if (database == Database.Postgres)
            {
                settings["Hub:Database:Provider"] = "postgres";
                settings["ConnectionStrings:Hub"] = new NpgsqlConnectionStringBuilder(HubFactory.PostgresServer) { Database = _postgresDatabase }.ConnectionString;
            }
            return settings;
        }
    }

    public async Task InitializeAsync()
    {
        if (database != Database.Postgres) return;
        await using var admin = new NpgsqlConnection(HubFactory.PostgresServer);
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_postgresDatabase}\"", admin);
        await create.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        if (database == Database.Postgres)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(HubFactory.PostgresServer);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresDatabase}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Runs_waiting_on_timers_and_events_when_the_hub_is_killed_complete_once_after_restart()
    {
        string delayed, waiting;
        var delayedRuns = new Dictionary<string, string>(); // run id → its email address
        var waitingRuns = new Dictionary<string, string>();
        Task<HttpResponseMessage>? inFlightPublish = null;
        await using (var hub = await KillableHub.StartAsync(_data, Key, Settings))
        {
            delayed = await Publish(hub.Http, RunWorkflows.DelayThenEmail());
            waiting = await Publish(hub.Http, RunWorkflows.EventThenEmail());
            // Two thirds of the waiting runs get their event just before the kill, the others after the restart.
            foreach (var i in Enumerable.Range(0, 30))
            {
                var email = RunWorkflows.NewAddress("wait");
                var run = await Run(hub.Http, waiting, $$"""{ "email": "{{email}}", "event": "{{(i % 3 == 2 ? "late" : "early")}}" }""");
                Assert.Equal("suspended", (string)run["status"]!);
                waitingRuns[(string)run["id"]!] = email;
            }
            // Timers spread over five seconds: when the first has fired and the hub is killed, the others come due while it
            // is down or after it is back.
            foreach (var i in Enumerable.Range(0, 20))
            {
                var email = RunWorkflows.NewAddress("delay");
                var run = await Run(hub.Http, delayed, $$"""{ "email": "{{email}}", "delay": {{(3 + i * 0.25).ToString(CultureInfo.InvariantCulture)}} }""");
                Assert.Equal("suspended", (string)run["status"]!);
                delayedRuns[(string)run["id"]!] = email;
            }

            await RunWorkflows.WaitUntilAsync(() => AnyCompletedAsync(hub.Http, delayed), 60, "no delayed run completed");
            // The early event resumes its runs one after another: kill the hub while it is at it.
            inFlightPublish = hub.Http.PostAsJsonAsync("/v1/workflow-events", new { name = "early" });
            await RunWorkflows.WaitUntilAsync(async () => inFlightPublish.IsCompleted || await AnyCompletedAsync(hub.Http, waiting),
                60, "the early event resumed nothing");
            hub.Kill();
        }
        try
        {
            await inFlightPublish; // answered, or cut off by the kill: the client cannot tell whether it got through
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
        }

        await using var restarted = await KillableHub.StartAsync(_data, Key, Settings);
        // The client does not know whether its early event got through, so it sends it again; then the late one.
        await (await restarted.Http.PostAsJsonAsync("/v1/workflow-events", new { name = "early" })).ExpectAsync(HttpStatusCode.Accepted);
        await (await restarted.Http.PostAsJsonAsync("/v1/workflow-events", new { name = "late" })).ExpectAsync(HttpStatusCode.Accepted);

        foreach (var id in delayedRuns.Keys)
        {
            var run = await WaitForStatus(restarted.Http, id, "completed", seconds: 120);
            Assert.Equal(RunWorkflows.DelayThenEmailJournal, RunWorkflows.JournalActivities(run));
        }
        foreach (var id in waitingRuns.Keys)
        {
            var run = await WaitForStatus(restarted.Http, id, "completed", seconds: 120);
            Assert.Equal(RunWorkflows.EventThenEmailJournal, RunWorkflows.JournalActivities(run));
        }
        var outbox = await DevOutboxAsync(restarted.Http);
        Assert.All(delayedRuns.Values.Concat(waitingRuns.Values), email => Assert.Equal(1, outbox.GetValueOrDefault(email)));
    }

    [Fact]
    public async Task Parents_waiting_for_child_runs_when_the_hub_is_killed_complete_once_with_one_child_each_after_restart()
    {
        var parents = new List<string>();
        string childId, parentId;
        await using (var hub = await KillableHub.StartAsync(_data, Key, Settings))
        {
            childId = await Publish(hub.Http, ElsaSamples.Flowchart(
                $"{ElsaSamples.Activity("start", "Elsa.Start")}, {ElsaSamples.Activity("nap", "Elsa.Delay", ElsaSamples.Literal("timeSpan", "00:00:03"))}, " +
                $"{ElsaSamples.Activity("say", "Elsa.WriteLine", Js("text", "'child of ' + getInput('ParentInstanceId')"))}",
                $"{ElsaSamples.Link("start", "Done", "nap")}, {ElsaSamples.Link("nap", "Done", "say")}"));
            parentId = await Publish(hub.Http, ElsaSamples.Flowchart(
                $"{ElsaSamples.Activity("start", "Elsa.Start")}, " +
                $"{ElsaSamples.Activity("child", "Elsa.ExecuteWorkflow", $"{ElsaSamples.Literal("workflowDefinitionId", childId)}, " +
                    "\"waitForCompletion\": { \"typeName\": \"Boolean\", \"expression\": { \"type\": \"Literal\", \"value\": true } }")}, " +
                $"{ElsaSamples.Activity("after", "Elsa.WriteLine", ElsaSamples.Literal("text", "after"))}",
                $"{ElsaSamples.Link("start", "Done", "child")}, {ElsaSamples.Link("child", "Done", "after")}"));
            foreach (var _ in Enumerable.Range(0, 8))
            {
                var run = await Run(hub.Http, parentId);
                Assert.Equal("suspended", (string)run["status"]!);
                parents.Add((string)run["id"]!);
            }
            // Killed while the children nap (or some just started napping): the parents wait on runs that are not done.
            hub.Kill();
        }

        await using var restarted = await KillableHub.StartAsync(_data, Key, Settings);
        foreach (var id in parents)
        {
            var run = await WaitForStatus(restarted.Http, id, "completed", seconds: 120);
            Assert.Equal(["start", "child", "child", "after"], RunWorkflows.JournalActivities(run));
        }
        var children = await ListRuns(restarted.Http, childId);
        Assert.Equal(parents.Order(StringComparer.Ordinal), children.Select(c => (string)c["input"]!["ParentInstanceId"]!).Order(StringComparer.Ordinal));
        foreach (var child in children)
        {
            var run = await WaitForStatus(restarted.Http, (string)child["id"]!, "completed", seconds: 60);
            Assert.Equal(["start", "nap", "nap", "say"], RunWorkflows.JournalActivities(run));
        }
    }

    [Fact]
    public async Task Runs_started_and_resumed_in_a_burst_when_the_hub_is_killed_are_neither_lost_nor_doubled()
    {
        string started, waiting;
        var waitingRuns = new Dictionary<string, (string Email, string Event)>();
        var acknowledged = new ConcurrentDictionary<string, string>(); // run id → email, for starts answered 201
        var attempted = new ConcurrentBag<string>();
        await using (var hub = await KillableHub.StartAsync(_data, Key, Settings))
        {
            // Emails first: the run commits after each of them, before the start request is answered.
            started = await Publish(hub.Http, RunWorkflows.EmailsThenDelay("00:00:01"));
            waiting = await Publish(hub.Http, RunWorkflows.EventThenEmail());
            foreach (var i in Enumerable.Range(0, 24))
            {
                var (email, name) = (RunWorkflows.NewAddress("resume"), $"go-{i}");
                var run = await Run(hub.Http, waiting, $$"""{ "email": "{{email}}", "event": "{{name}}" }""");
                waitingRuns[(string)run["id"]!] = (email, name);
            }

            // Six clients start runs while two publish the waiting runs' events; the hub dies once 16 starts were answered.
            var events = new ConcurrentQueue<string>(waitingRuns.Values.Select(w => w.Event));
            var unexpected = new ConcurrentBag<string>();
            var killed = 0;
            var clients = Enumerable.Range(0, 8).Select(client => Task.Run(async () =>
            {
                while (Volatile.Read(ref killed) == 0)
                {
                    try
                    {
                        if (client < 2)
                        {
                            if (!events.TryDequeue(out var name)) return;
                            var published = await hub.Http.PostAsJsonAsync("/v1/workflow-events", new { name });
                            if (published.StatusCode != HttpStatusCode.Accepted) unexpected.Add($"publish {(int)published.StatusCode}");
                            continue;
                        }
                        var email = RunWorkflows.NewAddress("start");
                        attempted.Add(email);
                        var response = await hub.Http.PostAsync($"/v1/workflows/{started}/runs", Body($$"""{ "input": { "email": "{{email}}" } }"""));
                        if (response.StatusCode == HttpStatusCode.Created)
                            acknowledged[(string)(await response.JsonAsync())["id"]!] = email;
                        else
                            unexpected.Add($"start {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    }
                    catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                    {
                        return; // the hub is gone
                    }
                    if ((acknowledged.Count >= 16 || !unexpected.IsEmpty) && Interlocked.Exchange(ref killed, 1) == 0) hub.Kill();
                }
            })).ToList();
            await Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(180));
            Assert.Empty(unexpected);
        }

        await using var restarted = await KillableHub.StartAsync(_data, Key, Settings);
        // Publishing is safe to repeat: the client sends every event again, not knowing which got through.
        foreach (var (_, name) in waitingRuns.Values)
            await (await restarted.Http.PostAsJsonAsync("/v1/workflow-events", new { name })).ExpectAsync(HttpStatusCode.Accepted);

        var stored = await ListRuns(restarted.Http, started);
        Assert.All(acknowledged.Keys, id => Assert.Contains(stored, r => (string)r["id"]! == id));
        var storedEmails = new List<string>();
        foreach (var id in stored.Select(r => (string)r["id"]!))
        {
            var run = await WaitForStatus(restarted.Http, id, "completed", seconds: 120);
            Assert.Equal(RunWorkflows.EmailsThenDelayJournal, RunWorkflows.JournalActivities(run));
            storedEmails.Add((string)run["input"]!["email"]!);
        }
        foreach (var id in waitingRuns.Keys)
        {
            var run = await WaitForStatus(restarted.Http, id, "completed", seconds: 120);
            Assert.Equal(RunWorkflows.EventThenEmailJournal, RunWorkflows.JournalActivities(run));
        }

        // One run per start request at most, each of its three emails once, and no email from a start that left no run.
        Assert.Equal(storedEmails.Count, storedEmails.Distinct().Count());
        var outbox = await DevOutboxAsync(restarted.Http);
        Assert.All(storedEmails, email => Assert.Equal(3, outbox.GetValueOrDefault(email)));
        Assert.All(attempted.Except(storedEmails), email => Assert.Equal(0, outbox.GetValueOrDefault(email)));
        Assert.All(waitingRuns.Values, w => Assert.Equal(1, outbox.GetValueOrDefault(w.Email)));
    }

    /// <summary>Every run of the definition, through the paged list.</summary>
    private static async Task<List<JsonNode>> ListRuns(HttpClient http, string definitionId)
    {
        var runs = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var query = $"/v1/workflow-runs?definition_id={definitionId}&limit=100" + (cursor is null ? "" : $"&starting_after={cursor}");
            var page = await (await http.GetAsync(query)).ExpectAsync(HttpStatusCode.OK);
            runs.AddRange(page["data"]!.AsArray().Select(r => r!));
            cursor = (bool)page["has_more"]! ? (string)page["next_cursor"]! : null;
        } while (cursor is not null);
        return runs;
    }

    private static async Task<bool> AnyCompletedAsync(HttpClient http, string definitionId) =>
        (await (await http.GetAsync($"/v1/workflow-runs?definition_id={definitionId}&status=completed&limit=1")).ExpectAsync(HttpStatusCode.OK))
            ["data"]!.AsArray().Count > 0;

    /// <summary>How many messages the local outbox (<c>/dev/outbox</c>, the newest 200) holds for each address.</summary>
    private static async Task<Dictionary<string, int>> DevOutboxAsync(HttpClient http)
    {
        var page = await (await http.GetAsync("/dev/outbox")).Content.ReadAsStringAsync();
        var addresses = Regex.Matches(page, "&lt;([^&<>]+)&gt;").Select(m => m.Groups[1].Value).ToList();
        Assert.True(addresses.Count < 200, "the outbox page is full, so it may not show every message");
        return addresses.GroupBy(a => a).ToDictionary(g => g.Key, g => g.Count());
    }
}

public sealed class SqliteWorkflowRecoveryTests() : WorkflowRecoveryTests(Database.Sqlite);

public sealed class PostgresWorkflowRecoveryTests() : WorkflowRecoveryTests(Database.Postgres);
