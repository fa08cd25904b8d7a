using System.Net;
using System.Text.RegularExpressions;
using ESign.Hub.Tests.Infrastructure;
using Npgsql;
using static ESign.Hub.Tests.Workflows.ElsaSamples;
using static ESign.Hub.Tests.Workflows.WorkflowRunTests;

namespace ESign.Hub.Tests.Workflows;

/// <summary>
/// The hub process is killed (SIGKILL) while runs are inside a ForEach whose body waits on a timer and sends an email per
/// item; after a restart on the same store every run finishes its loop where it was: each item's email sent exactly once.
/// </summary>
public abstract class LoopRecoveryTests(Database database) : IAsyncLifetime
{
    private const string Key = "esk_test_workflow_loop_recovery_key_01234";
    private readonly string _data = Directory.CreateTempSubdirectory("esign-hub-wf-loop-crash-").FullName;
    private readonly string _postgresDatabase = "hub_test_" + Guid.NewGuid().ToString("N")[..12];

    private Dictionary<string, string> Settings
    {
        get
        {
            var settings = new Dictionary<string, string> { ["Hub:Workflows:LeaseSeconds"] = "3", ["Hub:Workflows:PollSeconds"] = "0.2" };
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

    /// <summary>Start → ForEach over input.emails, body: Delay (input.delay) → Hub.Email.Send to the current item → End.</summary>
    private static string LoopOfEmails() => Flowchart(
        $"{Activity("start", "Elsa.Start")}, " +
        $"{Activity("each", "Elsa.ForEach", $"{Js("items", "getInput('emails')")}, \"body\": {{ \"type\": \"Elsa.Flowchart\", \"id\": \"each-body\", \"activities\": [" +
            $"{Activity("wait", "Elsa.Delay", Js("timeSpan", "getInput('delay')"))}, " +
            $"{Activity("email", "Hub.Email.Send", $"{Js("to", "getCurrentValue()")}, {Literal("subject", "Loop notice")}, {Literal("body", "One per item.")}")}], " +
            $"\"connections\": [{Link("wait", "Done", "email")}] }}")}, " +
        $"{Activity("end", "Elsa.End")}",
        $"{Link("start", "Done", "each")}, {Link("each", "Done", "end")}");

    [Fact]
    public async Task Runs_killed_mid_loop_finish_their_remaining_iterations_once_after_restart()
    {
        var runs = new Dictionary<string, string[]>(); // run id → its three addresses
        await using (var hub = await KillableHub.StartAsync(_data, Key, Settings))
        {
            var id = await Publish(hub.Http, LoopOfEmails());
            foreach (var i in Enumerable.Range(0, 8))
            {
                string[] emails = [RunWorkflows.NewAddress("loop"), RunWorkflows.NewAddress("loop"), RunWorkflows.NewAddress("loop")];
                var input = $$"""{ "emails": ["{{emails[0]}}", "{{emails[1]}}", "{{emails[2]}}"], "delay": {{1 + i % 3}} }""";
                var run = await Run(hub.Http, id, input);
                Assert.Equal("suspended", (string)run["status"]!);
                runs[(string)run["id"]!] = emails;
            }
            // Kill once some runs are past their first item: they are between iterations, in a delay of the second.
            await RunWorkflows.WaitUntilAsync(async () => (await DevOutboxAsync(hub.Http)).Count >= 4, 60, "no loop sent its first emails");
            hub.Kill();
        }

        await using var restarted = await KillableHub.StartAsync(_data, Key, Settings);
        foreach (var (id, emails) in runs)
        {
            var run = await WaitForStatus(restarted.Http, id, "completed", seconds: 120);
            string[] iteration = ["wait", "wait", "email"];
            Assert.Equal(["start", "each", .. iteration, .. iteration, .. iteration, "each", "end"], RunWorkflows.JournalActivities(run));
        }
        var outbox = await DevOutboxAsync(restarted.Http);
        Assert.All(runs.Values.SelectMany(e => e), email => Assert.Equal(1, outbox.GetValueOrDefault(email)));
    }

    /// <summary>How many messages the local outbox (<c>/dev/outbox</c>, the newest 200) holds for each address.</summary>
    private static async Task<Dictionary<string, int>> DevOutboxAsync(HttpClient http)
    {
        var page = await (await http.GetAsync("/dev/outbox")).Content.ReadAsStringAsync();
        var addresses = Regex.Matches(page, "&lt;([^&<>]+)&gt;").Select(m => m.Groups[1].Value).ToList();
        Assert.True(addresses.Count < 200, "the outbox page is full, so it may not show every message");
        return addresses.GroupBy(a => a).ToDictionary(g => g.Key, g => g.Count());
    }
}

public sealed class SqliteLoopRecoveryTests() : LoopRecoveryTests(Database.Sqlite);

public sealed class PostgresLoopRecoveryTests() : LoopRecoveryTests(Database.Postgres);
