using System.Data.Common;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ESign.Hub.Storage;
using ESign.Hub.Tests.Infrastructure;
using ESign.Hub.Workflows.Runs;
using ESign.Hub.Workflows.Runtime.Activities;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using static ESign.Hub.Tests.Workflows.ElsaSamples;
using static ESign.Hub.Tests.Workflows.WorkflowRunTests;

namespace ESign.Hub.Tests.Workflows;

/// <summary>
/// Who answers at <c>/workflows/http/{path}</c> when several could: a run waiting at the exact path before any route
/// template, templates limited to plain parameters, two templates that can match the same path refused at publish, and
/// probing paths nobody answers without reading every account's templates each time. And bookmark sources that may
/// end only their own kind of wait, in the run it belongs to.
/// </summary>
public abstract class HttpTriggerRoutingTests(RoutingHub hub)
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private static string Endpoint(string id, string pathProperty, bool starts = true) => Activity(id, "Elsa.HttpEndpoint",
        $"{pathProperty}, {Prop("supportedMethods", "{ \"typeName\": \"String[]\", \"expression\": { \"type\": \"Object\", \"value\": \"[\\\"POST\\\"]\" } }")}" +
        (starts ? ", \"customProperties\": { \"canStartWorkflow\": true }" : ""));

    private static string Respond(string id, string text) => Activity(id, "Elsa.WriteHttpResponse", Literal("content", text));

    private static async Task<JsonArray> Runs(HubClient account, string definitionId) =>
        (await (await account.Http.GetAsync($"/v1/workflow-runs?definition_id={definitionId}&limit=100")).ExpectAsync(HttpStatusCode.OK))["data"]!.AsArray();

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Creates a draft under a fresh id and asks to publish it; returns the publish response.</summary>
    private static async Task<HttpResponseMessage> TryPublish(HubClient account, string definition)
    {
        var id = "wf-" + Guid.NewGuid().ToString("N")[..10];
        await (await account.Http.PostAsync("/v1/workflows", Body(definition.Replace("\"definitionId\": \"d1\"", $"\"definitionId\": \"{id}\""))))
            .ExpectAsync(HttpStatusCode.Created);
        return await account.Http.PostAsync($"/v1/workflows/{id}/publish", null);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_run_waiting_at_a_computed_path_gets_the_request_even_when_a_route_template_also_matches_it(bool sameAccount)
    {
        var prefix = Unique("approve");
        var token = "run_" + Guid.NewGuid().ToString("N")[..8];
        var waiter = await hub.NewAccountAsync();
        // The approval URL is computed while running: no published row owns it.
        var waiting = await Publish(waiter, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Endpoint("approval", Js("path", $"'{prefix}/' + getInput('token')"), starts: false)}, {Respond("done", "approved by the waiting run")}",
            $"{Link("start", "Done", "approval")}, {Link("approval", "Done", "done")}"));
        var run = await Run(waiter, waiting, $$"""{ "token": "{{token}}" }""");
        Assert.Equal("suspended", (string)run["status"]!);
        // Another workflow (another account's, or the same one's) publishes a template that matches the URL too.
        var publisher = sameAccount ? waiter : await hub.NewAccountAsync();
        var catcher = await Publish(publisher, Flowchart($"{Endpoint("http", Literal("path", $"{prefix}/{{id}}"))}, {Respond("caught", "caught by the template")}",
            Link("http", "Done", "caught")));

        var response = await hub.Anonymous().PostAsync($"/workflows/http/{prefix}/{token}", JsonBody("""{ "ok": true }"""));

        Assert.Equal((HttpStatusCode.OK, "approved by the waiting run"), (response.StatusCode, await response.Content.ReadAsStringAsync()));
        Assert.Equal("completed", (string)(await Get(waiter, (string)run["id"]!))["status"]!);
        Assert.Empty(await Runs(publisher, catcher));
        // Paths nobody waits at still reach the template.
        var other = await hub.Anonymous().PostAsync($"/workflows/http/{prefix}/someone-else", JsonBody("{}"));
        Assert.Equal((HttpStatusCode.OK, "caught by the template"), (other.StatusCode, await other.Content.ReadAsStringAsync()));
    }

    [Theory]
    [InlineData("{*rest}")]
    [InlineData("{**rest}")]
    [InlineData("things/{id?}")]
    [InlineData("things/{id:int}")]
    [InlineData("things/{id=1}")]
    [InlineData("things/{1d}")]
    public async Task A_catch_all_optional_default_or_constrained_route_parameter_is_refused_at_publish(string template)
    {
        var account = await hub.NewAccountAsync();
        var path = $"{Unique("p")}/{template}";

        var refused = await (await TryPublish(account, Flowchart($"{Activity("log", "Elsa.WriteLine", Literal("text", "x"))}, " +
            $"{Endpoint("http", Literal("path", path))}", Link("http", "Done", "log")))).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);

        // The validator's convention: the activity's index in root.activities.
        var message = (string)refused["errors"]!["$.root.activities[1]"]![0]!;
        Assert.StartsWith("activity 'http' (Elsa.HttpEndpoint): path", message);
        Assert.Contains($"route parameter '{template.Split('/')[^1]}'", message);
        Assert.Contains("only plain parameters such as {userId}", message);
        // Just inside the rule: a plain parameter, letters, digits and '_'.
        (await TryPublish(account, Flowchart(Endpoint("http", Literal("path", $"{Unique("p")}/things/{{id_2}}"))))).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Two_templates_that_can_match_the_same_path_conflict_whatever_their_shapes_and_accounts()
    {
        var prefix = Unique("shop");
        var first = await hub.NewAccountAsync();
        var second = await hub.NewAccountAsync();
        await Publish(first, Flowchart(Endpoint("http", Literal("path", $"{prefix}/users/{{id}}/orders/{{n}}"))));

        foreach (var overlapping in new[] { $"{prefix}/{{a}}/{{b}}/orders/{{c}}", $"{prefix}/users/{{x}}/{{y}}/{{z}}", $"{prefix}/users/me/orders/{{n}}", $"{prefix}/{{a}}/{{b}}/{{c}}/{{d}}" })
        {
            var conflict = await (await TryPublish(second, Flowchart(Endpoint("http", Literal("path", overlapping)))))
                .ExpectProblemAsync(HttpStatusCode.Conflict);
            Assert.Contains("already answers", (string)conflict["detail"]!);
        }
        // Within one workflow too.
        var twice = await (await TryPublish(second, Flowchart(
            $"{Endpoint("a", Literal("path", $"{prefix}/x/{{id}}"))}, {Endpoint("b", Literal("path", $"{prefix}/{{kind}}/7"))}")))
            .ExpectProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("answer the same URLs", (string)twice["detail"]!);
        // No path matches both: another literal where the first has one, or another number of segments.
        (await TryPublish(second, Flowchart(Endpoint("http", Literal("path", $"{prefix}/users/{{id}}/invoices/{{n}}"))))).EnsureSuccessStatusCode();
        (await TryPublish(second, Flowchart(Endpoint("http", Literal("path", $"{prefix}/users/{{id}}/orders/{{n}}/lines"))))).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Probing_paths_nobody_answers_does_not_read_the_templates_each_time_and_a_publish_is_seen_at_once()
    {
        var account = await hub.NewAccountAsync();
        var prefix = Unique("probe");
        await Publish(account, Flowchart($"{Endpoint("http", Literal("path", $"{prefix}/a/{{id}}"))}, {Respond("ok", "a")}", Link("http", "Done", "ok")));
        var anonymous = hub.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsync($"/workflows/http/{prefix}/a/1", JsonBody("{}"))).StatusCode);

        var before = hub.TemplateReads;
        for (var i = 0; i < 30; i++)
            await (await anonymous.PostAsync($"/workflows/http/{prefix}/nobody/{i}", JsonBody("{}"))).ExpectProblemAsync(HttpStatusCode.NotFound);

        // The copy lives HttpRouteTemplates.MaxAge (2 s): 30 probes read the templates at most a few times, not 30.
        Assert.InRange(hub.TemplateReads - before, 0, 3);
        // A new template answers at once in this process: the publish drops the copy.
        await Publish(account, Flowchart($"{Endpoint("http", Literal("path", $"{prefix}/b/{{id}}"))}, {Respond("ok", "b")}", Link("http", "Done", "ok")));
        var fresh = await anonymous.PostAsync($"/workflows/http/{prefix}/b/1", JsonBody("{}"));
        Assert.Equal((HttpStatusCode.OK, "b"), (fresh.StatusCode, await fresh.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task A_bookmark_source_resumes_only_its_own_kind_of_bookmark_and_only_in_the_run_it_belongs_to()
    {
        var account = await hub.NewAccountAsync();
        var (eventName, otherEvent) = (Unique("ev"), Unique("ev"));
        string Waiting(string name) => Flowchart($"{Activity("start", "Elsa.Start")}, {Activity("wait", "Elsa.Event", Literal("eventName", name))}",
            Link("start", "Done", "wait"));
        var first = (string)(await Run(account, await Publish(account, Waiting(eventName))))["id"]!;
        var second = (string)(await Run(account, await Publish(account, Waiting(otherEvent))))["id"]!;
        WorkflowBookmark bookmark;
        await using (var scope = hub.Services.CreateAsyncScope())
            bookmark = await scope.ServiceProvider.GetRequiredService<HubDbContext>().WorkflowBookmarks.IgnoreQueryFilters().AsNoTracking()
                .SingleAsync(b => b.RunId == first);
        var worker = hub.Services.GetRequiredService<WorkflowWorker>();

        // A source of another kind of wait hands back the event bookmark; a source of event waits hands it back with another run.
        await worker.ResumeFromAsync(new FixedSource("signature", new BookmarkResume(bookmark.Id, first, [])), CancellationToken.None);
        await worker.ResumeFromAsync(new FixedSource(EventActivity.BookmarkName, new BookmarkResume(bookmark.Id, second, [])), CancellationToken.None);

        await using (var scope = hub.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
            Assert.Null((await db.WorkflowBookmarks.IgnoreQueryFilters().AsNoTracking().SingleAsync(b => b.Id == bookmark.Id)).ResumedAt);
            Assert.Null((await db.WorkflowRuns.IgnoreQueryFilters().AsNoTracking().SingleAsync(r => r.Id == second)).RunnableAt);
        }
        Assert.Equal("suspended", (string)(await Get(account, first))["status"]!);
        Assert.Equal("suspended", (string)(await Get(account, second))["status"]!);
        // The right source with the right run still resumes it.
        await worker.ResumeFromAsync(new FixedSource(EventActivity.BookmarkName, new BookmarkResume(bookmark.Id, first, [])), CancellationToken.None);
        hub.Services.GetRequiredService<WorkflowSignal>().Raise();
        await WaitForStatus(account, first, "completed");
        Assert.Equal("suspended", (string)(await Get(account, second))["status"]!);
    }

    private sealed class FixedSource(string name, params BookmarkResume[] resumes) : IBookmarkSource
    {
        public string BookmarkName => name;

        public Task<IReadOnlyList<BookmarkResume>> FindResumableAsync(HubDbContext db, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<BookmarkResume>>(resumes);
    }
}

/// <summary>A hub that counts the SQL commands reading the route templates of HTTP triggers (a '{' in their key).</summary>
public class RoutingHub(Database database) : HubFactory(database)
{
    private readonly TemplateReadCounter _counter = new();

    public int TemplateReads => _counter.Count;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.ConfigureDbContext<SqliteHubDbContext>(o => o.AddInterceptors(_counter));
            services.ConfigureDbContext<PostgresHubDbContext>(o => o.AddInterceptors(_counter));
        });
    }

    private sealed class TemplateReadCounter : DbCommandInterceptor
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("FROM \"WorkflowTriggers\"", StringComparison.Ordinal) && command.CommandText.Contains('{', StringComparison.Ordinal))
                Interlocked.Increment(ref _count);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}

public sealed class SqliteRoutingHub() : RoutingHub(Database.Sqlite);

public sealed class PostgresRoutingHub() : RoutingHub(Database.Postgres);

public sealed class SqliteHttpTriggerRoutingTests(SqliteRoutingHub hub) : HttpTriggerRoutingTests(hub), IClassFixture<SqliteRoutingHub>;

public sealed class PostgresHttpTriggerRoutingTests(PostgresRoutingHub hub) : HttpTriggerRoutingTests(hub), IClassFixture<PostgresRoutingHub>;
