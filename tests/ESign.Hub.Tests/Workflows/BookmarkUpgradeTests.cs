using System.Net;
using System.Text.Json.Nodes;
using ESign.Hub.Storage;
using ESign.Hub.Tests.Infrastructure;
using ESign.Hub.Tests.Signing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using static ESign.Hub.Tests.Workflows.ElsaSamples;
using static ESign.Hub.Tests.Workflows.WorkflowRunTests;

namespace ESign.Hub.Tests.Workflows;

/// <summary>
/// Runs that waited on an event and on a signature request under the schema before bookmarks were generic (rows with a
/// <c>Kind</c> column, run state with <c>kind</c>) resume after the hub is upgraded: the GenericBookmarks migration runs
/// at start and the runs continue as they would have.
/// </summary>
public abstract class BookmarkUpgradeTests(Database database)
{
    /// <summary>The last migration before GenericBookmarks.</summary>
    private const string BeforeGenericBookmarks = "SealingIncidents";

    [Fact]
    public async Task Runs_waiting_before_bookmarks_became_generic_resume_after_the_upgrade()
    {
        var first = new HubFactory(database);
        await ((IAsyncLifetime)first).InitializeAsync();
        try
        {
            var account = await first.NewAccountAsync();
            var eventName = "go-" + Guid.NewGuid().ToString("N")[..8];
            var onEvent = await Publish(account, Flowchart(
                $"{Activity("start", "Elsa.Start")}, {Activity("wait", "Elsa.Event", Literal("eventName", eventName))}, " +
                $"{Activity("said", "Elsa.WriteLine", Js("text", "'got ' + getOutputFrom('wait', 'result').n"))}",
                $"{Link("start", "Done", "wait")}, {Link("wait", "Done", "said")}"));
            var onSignature = await Publish(account, Flowchart(
                $"{Activity("start", "Elsa.Start")}, {Activity("wait", "Hub.ESign.WaitForSignature", Js("signatureRequestId", "getInput('request')"))}, " +
                $"{Activity("canceled", "Elsa.WriteLine", Literal("text", "the request was canceled"))}",
                $"{Link("start", "Done", "wait")}, {Link("wait", "Canceled", "canceled")}"));
            var request = (string)(await account.Http.CreateSignatureRequestAsync(
                HttpExtensions.SignatureRequestBody(await account.Http.UploadPdfAsync())))["id"]!;
            var eventRun = (string)(await Run(account, onEvent))["id"]!;
            var signatureRun = (string)(await Run(account, onSignature, $$"""{ "request": "{{request}}" }"""))["id"]!;
            Assert.Equal("suspended", (string)(await Get(account, eventRun))["status"]!);
            Assert.Equal("suspended", (string)(await Get(account, signatureRun))["status"]!);
            await first.DisposeAsync(); // the hub stops; its store stays

            await WriteAsBeforeGenericBookmarksAsync(first, [eventRun, signatureRun]);

            await using var upgraded = new RestartedHub(first);
            await ((IAsyncLifetime)upgraded).InitializeAsync();
            var http = upgraded.WithToken(account.ApiKey);
            Assert.Equal("suspended", (string)(await Get(http, eventRun))["status"]!);
            Assert.Equal("event", (string)(await Get(http, eventRun))["waiting_for"]![0]!["kind"]!);

            var published = await (await http.PostJsonAsync("/v1/workflow-events", new { name = eventName, payload = new { n = 7 } }))
                .ExpectAsync(HttpStatusCode.Accepted);
            Assert.Equal([eventRun], published["run_ids"]!.AsArray().Select(r => (string)r!));
            var eventDone = await WaitForStatus(http, eventRun, "completed");
            Assert.Equal("got 7", (string)eventDone["journal"]!.AsArray().Last()!["inputs"]!["text"]!);

            await (await http.DeleteAsync($"/v1/signature-requests/{request}")).ExpectAsync(HttpStatusCode.OK);
            var signatureDone = await WaitForStatus(http, signatureRun, "completed");
            var journal = signatureDone["journal"]!.AsArray();
            Assert.Equal("Canceled", (string)journal.Last(e => (string)e!["activity_id"]! == "wait")!["outcome"]!);
            Assert.Equal("canceled", (string)journal.Last()!["activity_id"]!);
        }
        finally
        {
            await ((IAsyncLifetime)first).DisposeAsync();
        }
    }

    /// <summary>
    /// Takes the store back to the schema before GenericBookmarks (the migration's Down renames Name back to Kind and drops
    /// Payload) and writes the runs' state as the hub before it did: each bookmark's name under "kind", no payload.
    /// </summary>
    private async Task WriteAsBeforeGenericBookmarksAsync(HubFactory hub, IReadOnlyList<string> runIds)
    {
        await using HubDbContext db = database == Database.Postgres
            ? new PostgresHubDbContext(new DbContextOptionsBuilder<PostgresHubDbContext>().UseNpgsql(hub.ConnectionString).Options)
            : new SqliteHubDbContext(new DbContextOptionsBuilder<SqliteHubDbContext>().UseSqlite(hub.ConnectionString).Options);
        await db.GetService<IMigrator>().MigrateAsync(BeforeGenericBookmarks);
        Assert.Equal(["event", "signature"],
            (await db.Database.SqlQueryRaw<string>("""SELECT "Kind" AS "Value" FROM "WorkflowBookmarks" """).ToListAsync()).Order());

        foreach (var run in await db.WorkflowRuns.IgnoreQueryFilters().Where(r => runIds.Contains(r.Id)).ToListAsync())
        {
            var state = JsonNode.Parse(run.State)!.AsObject();
            foreach (var bookmark in state["bookmarks"]!.AsArray().Select(b => b!.AsObject()))
            {
                var name = bookmark["name"]!.GetValue<string>();
                bookmark.Remove("name");
                bookmark.Remove("payload");
                bookmark["kind"] = name;
            }
            Assert.DoesNotContain("\"name\"", state["bookmarks"]!.ToJsonString(), StringComparison.Ordinal);
            run.State = state.ToJsonString();
        }
        await db.SaveChangesAsync();
    }
}

public sealed class SqliteBookmarkUpgradeTests() : BookmarkUpgradeTests(Database.Sqlite);

public sealed class PostgresBookmarkUpgradeTests() : BookmarkUpgradeTests(Database.Postgres);
