using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using ESign.Hub.Storage;
using ESign.Hub.Tests.Infrastructure;
using ESign.Hub.Workflows.Definitions;
using ESign.Hub.Workflows.Runs;
using ESign.Hub.Workflows.Runtime;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ESign.Hub.Tests.Workflows.ElsaSamples;
using static ESign.Hub.Tests.Workflows.WorkflowRunTests;

namespace ESign.Hub.Tests.Workflows;

/// <summary>
/// <c>GET /v1/activity-types</c> and the open catalog: every registered activity describes itself there, and an activity a
/// module adds with <c>AddActivity&lt;T&gt;()</c> is validated, reported, published and run with no list to edit.
/// </summary>
public abstract class ActivityCatalogTests(CatalogHub hub)
{
    private async Task<JsonArray> ActivityTypesAsync(HubClient account) =>
        (await (await account.Http.GetAsync("/v1/activity-types")).ExpectAsync(HttpStatusCode.OK))["data"]!.AsArray();

    private static JsonNode Type(JsonArray types, string type) => types.Single(t => (string)t!["type"]! == type)!;

    [Fact]
    public async Task Activity_types_need_a_credential_with_workflows_manage()
    {
        await (await hub.Anonymous().GetAsync("/v1/activity-types")).ExpectProblemAsync(HttpStatusCode.Unauthorized);
        var admin = await hub.NewAccountAsync();
        var created = await (await admin.Http.PostJsonAsync("/v1/api-keys", new { name = "Reader", scopes = new[] { "documents:read" } }))
            .ExpectAsync(HttpStatusCode.Created);
        await (await hub.WithToken((string)created["key"]!).GetAsync("/v1/activity-types")).ExpectProblemAsync(HttpStatusCode.Forbidden);
        var manager = await (await admin.Http.PostJsonAsync("/v1/api-keys", new { name = "Designer", scopes = new[] { "workflows:manage" } }))
            .ExpectAsync(HttpStatusCode.Created);
        await (await hub.WithToken((string)manager["key"]!).GetAsync("/v1/activity-types")).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task OpenApi_documents_the_activity_types_endpoint_with_its_schema_and_auth_problems()
    {
        var document = await (await hub.Anonymous().GetAsync("/openapi/v1.json")).ExpectAsync(HttpStatusCode.OK);
        var list = document["paths"]!["/v1/activity-types"]!["get"]!;
        Assert.Equal("ListActivityTypes", (string)list["operationId"]!);
        Assert.NotNull(list["responses"]!["200"]!["content"]!["application/json"]!["schema"]);
        Assert.NotNull(list["responses"]!["401"]);
        Assert.NotNull(list["responses"]!["403"]);
        var schemas = document["components"]!["schemas"]!.AsObject();
        Assert.True(schemas["ActivityTypeResponse"]!["properties"]!.AsObject().ContainsKey("is_trigger"));
        Assert.True(schemas["ActivityInputResponse"]!["properties"]!.AsObject().ContainsKey("ui_hint"));
    }

    [Fact]
    public async Task Every_registered_activity_is_listed_with_its_inputs_outcomes_and_trigger_flag()
    {
        var types = await ActivityTypesAsync(await hub.NewAccountAsync());

        string[] expected =
        [
            "Elsa.Break", "Elsa.Complete", "Elsa.Correlate", "Elsa.Cron", "Elsa.Delay", "Elsa.DispatchWorkflow", "Elsa.End",
            "Elsa.Event", "Elsa.ExecuteWorkflow", "Elsa.Fault", "Elsa.Finish", "Elsa.FlowDecision", "Elsa.FlowFork",
            "Elsa.FlowJoin", "Elsa.FlowNode", "Elsa.FlowSendHttpRequest", "Elsa.FlowSwitch", "Elsa.Flowchart", "Elsa.ForEach",
            "Elsa.HttpEndpoint", "Elsa.ParallelForEach", "Elsa.PublishEvent", "Elsa.RunJavaScript", "Elsa.RunTask",
            "Elsa.SendEmail", "Elsa.SetName", "Elsa.SetOutput", "Elsa.SetVariable", "Elsa.Start", "Elsa.Timer", "Elsa.While",
            "Elsa.WorkflowDefinitionActivity", "Elsa.WriteHttpResponse", "Elsa.WriteLine",
            "Hub.Document.Generate", "Hub.ESign.SendForSignature", "Hub.ESign.WaitForSignature", "Hub.Email.Send",
            "Test.Shout", "Test.WaitForSignal",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), types.Select(t => (string)t!["type"]!));
        foreach (var type in types)
        {
            Assert.False(string.IsNullOrWhiteSpace((string?)type!["category"]), $"{type["type"]} has no category");
            Assert.False(string.IsNullOrWhiteSpace((string?)type["display_name"]), $"{type["type"]} has no display name");
            Assert.False(string.IsNullOrWhiteSpace((string?)type["description"]), $"{type["type"]} has no description");
            Assert.Contains((string)type["support"]!, new[] { "supported", "degraded", "unsupported" });
        }

        var endpoint = Type(types, "Elsa.HttpEndpoint");
        Assert.True((bool)endpoint["is_trigger"]!);
        Assert.Equal("http", (string)endpoint["trigger_kind"]!);
        var path = endpoint["inputs"]!.AsArray().Single(i => (string)i!["name"]! == "path")!;
        Assert.True((bool)path["required"]!);
        Assert.Equal("single_line", (string)path["ui_hint"]!);
        Assert.Equal(["parsedContent", "routeData", "queryStringData", "result", "method", "path", "query", "headers"], endpoint["outputs"]!.AsArray().Select(o => (string)o!["name"]!));

        var wait = Type(types, "Hub.ESign.WaitForSignature");
        Assert.False((bool)wait["is_trigger"]!);
        Assert.Equal("signature", (string)wait["waits_for"]!);
        Assert.Equal(["Completed", "Declined", "Expired", "Canceled"], wait["outcomes"]!["ports"]!.AsArray().Select(p => (string)p!));
        Assert.False((bool)wait["outcomes"]!["computed"]!);

        var send = Type(types, "Hub.ESign.SendForSignature");
        var order = send["inputs"]!.AsArray().Single(i => (string)i!["name"]! == "signingOrder")!;
        Assert.Equal("dropdown", (string)order["ui_hint"]!);
        Assert.Equal(["sequential", "parallel"], order["options"]!.AsArray().Select(o => (string)o!));
        Assert.Equal("checkbox", (string)send["inputs"]!.AsArray().Single(i => (string)i!["name"]! == "useTextTags")!["ui_hint"]!);
        Assert.Equal("json", (string)send["inputs"]!.AsArray().Single(i => (string)i!["name"]! == "signers")!["ui_hint"]!);
        Assert.Equal("code", (string)Type(types, "Elsa.RunJavaScript")["inputs"]![0]!["ui_hint"]!);
        Assert.Equal("multi_line", (string)Type(types, "Hub.Email.Send")["inputs"]!.AsArray().Single(i => (string)i!["name"]! == "body")!["ui_hint"]!);
        Assert.Equal("ESign.Hub", (string)Type(types, "Hub.Email.Send")["inputs"]!.AsArray().Single(i => (string)i!["name"]! == "fromName")!["default"]!);

        Assert.Equal("degraded", (string)Type(types, "Elsa.FlowJoin")["support"]!);
        Assert.True((bool)Type(types, "Elsa.Start")["is_trigger"]!);
        Assert.Null(Type(types, "Elsa.Start")["trigger_kind"]);
        Assert.Empty(Type(types, "Elsa.End")["outcomes"]!["ports"]!.AsArray());
    }

    [Fact]
    public async Task Computed_outcomes_name_their_inputs_and_follow_them_in_validation()
    {
        var account = await hub.NewAccountAsync();
        var http = Type(await ActivityTypesAsync(account), "Elsa.FlowSendHttpRequest");
        Assert.True((bool)http["outcomes"]!["computed"]!);
        Assert.Equal(["expectedStatusCodes"], http["outcomes"]!["computed_from"]!.AsArray().Select(p => (string)p!));
        Assert.Equal(["Unmatched status code", "Failed to connect", "Timeout"], http["outcomes"]!["ports"]!.AsArray().Select(p => (string)p!));

        string Definition(string codes, string port) => Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("call", "Elsa.FlowSendHttpRequest", $"{Literal("url", "https://example.com")}, " +
                $"\"expectedStatusCodes\": {{ \"typeName\": \"Int32[]\", \"expression\": {{ \"type\": \"Object\", \"value\": \"{codes}\" }} }}")}, " +
            $"{Activity("end", "Elsa.End")}",
            $"{Link("start", "Done", "call")}, {Link("call", port, "end")}");

        var created = await (await account.Http.PostAsync("/v1/workflows/validate", Body(Definition("[201, 409]", "409")))).ExpectAsync(HttpStatusCode.OK);
        Assert.True((bool)created["valid"]!);
        var other = await (await account.Http.PostAsync("/v1/workflows/validate", Body(Definition("[201]", "409")))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("activity 'call' (Elsa.FlowSendHttpRequest): unknown outcome port '409' (known: 201, Unmatched status code, Failed to connect, Timeout)",
            (string)Assert.Single(other["problems"]!.AsArray())!["message"]!);
    }

    [Fact]
    public async Task An_activity_added_with_AddActivity_is_validated_reported_published_and_run()
    {
        var account = await hub.NewAccountAsync();
        var shout = Type(await ActivityTypesAsync(account), "Test.Shout");
        Assert.Equal(["Loud", "Quiet"], shout["outcomes"]!["ports"]!.AsArray().Select(p => (string)p!));
        Assert.Equal("Testing", (string)shout["category"]!);

        var missing = await (await account.Http.PostAsync("/v1/workflows/validate", Body(Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("shout", "Test.Shout")}", Link("start", "Done", "shout"))))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("activity 'shout' (Test.Shout): missing required input 'text'", (string)Assert.Single(missing["problems"]!.AsArray())!["message"]!);
        var badPort = await (await account.Http.PostAsync("/v1/workflows/validate", Body(Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("shout", "Test.Shout", Literal("text", "hi"))}, {Activity("end", "Elsa.End")}",
            $"{Link("start", "Done", "shout")}, {Link("shout", "Whisper", "end")}")))).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains("unknown outcome port 'Whisper' (known: Loud, Quiet)", (string)Assert.Single(badPort["problems"]!.AsArray())!["message"]!);

        var definition = Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("shout", "Test.Shout", Js("text", "getInput('words')"))}, " +
            $"{Activity("loud", "Elsa.WriteLine", Js("text", "getOutputFrom('shout', 'shouted')"))}, {Activity("quiet", "Elsa.WriteLine", Literal("text", "quiet"))}",
            $"{Link("start", "Done", "shout")}, {Link("shout", "Loud", "loud")}, {Link("shout", "Quiet", "quiet")}");
        var import = await (await account.Http.PostAsync("/v1/workflows/import", Body(definition))).ExpectAsync(HttpStatusCode.OK);
        var entry = import["report"]!.AsArray().Single(e => (string)e!["activity_id"]! == "shout" && e["input"] is null)!;
        Assert.Equal("supported", (string)entry["support"]!);
        Assert.Equal("written for the catalog tests", (string)entry["note"]!);
        Assert.Empty(import["problems"]!.AsArray());

        var id = await Publish(account, definition);
        var run = await Run(account, id, """{ "words": "hello there!" }""");
        Assert.Equal("completed", (string)run["status"]!);
        var journal = (await Get(account, (string)run["id"]!))["journal"]!.AsArray();
        Assert.Equal(["start", "shout", "loud"], journal.Select(e => (string)e!["activity_id"]!));
        Assert.Equal("Loud", (string)journal[1]!["outcome"]!);
        Assert.Equal("HELLO THERE!", (string)journal[2]!["inputs"]!["text"]!);
    }

    [Fact]
    public async Task A_blocking_activity_of_a_module_waits_on_its_own_bookmark_and_resumes_with_the_payload_its_source_gives()
    {
        var account = await hub.NewAccountAsync();
        var signal = "signal-" + Guid.NewGuid().ToString("N")[..8];
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("wait", "Test.WaitForSignal", $"{Js("signal", "getInput('signal')")}, {Literal("note", "kept with the bookmark")}")}, " +
            $"{Activity("said", "Elsa.WriteLine", Js("text", "getOutputFrom('wait', 'value') + ' / ' + getOutputFrom('wait', 'stored')"))}",
            $"{Link("start", "Done", "wait")}, {Link("wait", "Received", "said")}"));

        var run = await Run(account, id, $$"""{ "signal": "{{signal}}" }""");
        Assert.Equal("suspended", (string)run["status"]!);
        var waiting = Assert.Single(run["waiting_for"]!.AsArray())!;
        Assert.Equal("test-signal", (string)waiting["kind"]!);
        Assert.Equal(signal, (string)waiting["key"]!);
        await using (var scope = hub.Services.CreateAsyncScope())
        {
            var row = await scope.ServiceProvider.GetRequiredService<HubDbContext>().WorkflowBookmarks.IgnoreQueryFilters().AsNoTracking()
                .SingleAsync(b => b.RunId == (string)run["id"]!);
            Assert.Equal(("test-signal", signal), (row.Name, row.Key));
            Assert.Contains("kept with the bookmark", row.Payload);
        }

        hub.Services.GetRequiredService<TestSignals>().Release(signal, "green light");
        var done = await WaitForStatus(account, (string)run["id"]!, "completed");
        var journal = done["journal"]!.AsArray();
        Assert.Equal("Received", (string)journal.Last(e => (string)e!["activity_id"]! == "wait")!["outcome"]!);
        Assert.Equal("green light / kept with the bookmark", (string)journal.Last()!["inputs"]!["text"]!);
    }
}

/// <summary>A hub whose test module adds two activities and a bookmark source, the way a connector module would.</summary>
public class CatalogHub(Database database) : HubFactory(database)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddActivity<ShoutActivity>().AddActivity<WaitForSignalActivity>();
            services.AddSingleton<TestSignals>();
            services.AddSingleton<IBookmarkSource>(sp => sp.GetRequiredService<TestSignals>());
        });
    }
}

public sealed class SqliteCatalogHub() : CatalogHub(Database.Sqlite);

public sealed class PostgresCatalogHub() : CatalogHub(Database.Postgres);

/// <summary>Test.Shout: upper-cases <c>text</c>; Loud when it ends with '!', else Quiet.</summary>
public sealed class ShoutActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Test.Shout", "Testing", "Shout", "Upper-cases its text.")
    {
        Inputs = [new("text", "String", "What to shout.") { Required = true }],
        Outputs = [new("shouted", "String", "The text in capitals.")],
        Outcomes = ActivityOutcomes.Fixed("Loud", "Quiet"),
        Note = "written for the catalog tests",
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var text = context.RequireString("text");
        context.SetOutput("shouted", text.ToUpperInvariant());
        return ValueTask.FromResult(ActivityResult.Outcome(text.EndsWith('!') ? "Loud" : "Quiet"));
    }
}

/// <summary>Test.WaitForSignal: waits on a "test-signal" bookmark keyed by <c>signal</c>, storing <c>note</c> with it.</summary>
public sealed class WaitForSignalActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Test.WaitForSignal", "Testing", "Wait for Signal", "Waits until the test releases the signal.")
    {
        Inputs = [new("signal", "String", "The signal's name.") { Required = true }, new("note", "String", "Kept with the bookmark.")],
        Outputs = [new("value", "String", "What the signal carried."), new("stored", "String", "The note, given back on resume.")],
        Outcomes = ActivityOutcomes.Fixed("Received"),
        WaitsFor = TestSignals.Name,
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) =>
        ValueTask.FromResult(ActivityResult.Wait(context.NewBookmark(TestSignals.Name, context.RequireString("signal"),
            payload: new Dictionary<string, object?> { ["note"] = context.GetString("note") })));

    public override ValueTask<ActivityResult> ResumeAsync(ActivityContext context, Bookmark bookmark, IReadOnlyDictionary<string, object?> payload)
    {
        context.SetOutput("value", payload.GetValueOrDefault("value"));
        context.SetOutput("stored", bookmark.Payload?.GetValueOrDefault("note"));
        return ValueTask.FromResult(ActivityResult.Outcome("Received"));
    }
}

/// <summary>The signals the test released; the worker resumes the bookmarks waiting on them.</summary>
public sealed class TestSignals(WorkflowSignal wake) : IBookmarkSource
{
    public const string Name = "test-signal";
    private readonly ConcurrentDictionary<string, string> _released = new();

    public string BookmarkName => Name;

    public void Release(string signal, string value)
    {
        _released[signal] = value;
        wake.Raise(); // the worker looks now rather than at its next poll
    }

    public async Task<IReadOnlyList<BookmarkResume>> FindResumableAsync(HubDbContext db, CancellationToken ct)
    {
        var signals = _released.Keys.ToList();
        var waiting = await db.WorkflowBookmarks.IgnoreQueryFilters()
            .Where(b => b.Name == Name && b.ResumedAt == null && b.Key != null && signals.Contains(b.Key)).Select(b => new { b.Id, b.RunId, b.Key })
            .ToListAsync(ct);
        return [.. waiting.Select(w => new BookmarkResume(w.Id, w.RunId, new Dictionary<string, object?> { ["value"] = _released[w.Key!] }))];
    }
}

public sealed class SqliteActivityCatalogTests(SqliteCatalogHub hub) : ActivityCatalogTests(hub), IClassFixture<SqliteCatalogHub>;

public sealed class PostgresActivityCatalogTests(PostgresCatalogHub hub) : ActivityCatalogTests(hub), IClassFixture<PostgresCatalogHub>;
