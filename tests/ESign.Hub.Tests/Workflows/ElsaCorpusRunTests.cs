using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ESign.Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static ESign.Hub.Tests.Workflows.WorkflowRunTests;

namespace ESign.Hub.Tests.Workflows;

/// <summary>
/// Definitions written by Elsa's own authors (../shared/elsa-corpus/elsa3, read where they lie, never copied) imported,
/// published and run through the hub: the HTTP answer of HTTP workflows, the journal of the others. These exercise the
/// start rule (no Elsa.Start, root.start), output bindings to variables, route data and expected status code ports.
/// </summary>
public abstract class ElsaCorpusRunTests(HubFactory hub)
{
    private static string CorpusFile(string name) => ElsaCorpus.Read("elsa3", name);

    private static async Task<(string DefinitionId, JsonArray Report)> Import(HubClient account, string json)
    {
        var imported = await (await account.Http.PostAsync("/v1/workflows/import", Body(json))).ExpectAsync(HttpStatusCode.OK);
        return ((string)imported["definition_id"]!, imported["report"]!.AsArray());
    }

    private const string Liquid = "Liquid expression runs on Scriban's Liquid mode, not Fluid: filters may differ";

    private static async Task<string> ImportAndPublish(HubClient account, string json)
    {
        var (id, report) = await Import(account, json);
        // Everything runs; Liquid is reported degraded (Scriban's Liquid, not Fluid) but runs.
        Assert.All(report, e => Assert.True((string)e!["support"]! == "supported" || (string)e["note"]! == Liquid, e.ToJsonString()));
        await (await account.Http.PostAsync($"/v1/workflows/{id}/publish", null)).ExpectAsync(HttpStatusCode.OK);
        return id;
    }

    private static (string Id, string Outcome)[] Journal(JsonNode run) =>
        run["journal"]!.AsArray().Select(e => ((string)e!["activity_id"]!, (string)e["outcome"]!)).ToArray();

    [Fact]
    public async Task Fork_without_a_Start_begins_at_the_fork_and_runs_its_three_branches()
    {
        var account = await hub.NewAccountAsync();
        var id = await ImportAndPublish(account, CorpusFile("elsa-core__fork.json"));

        var run = await Run(account, id);

        Assert.Equal("completed", (string)run["status"]!);
        Assert.Equal([("c0e09e3ac3cfdba7", "One, Two, Three"), ("e6f0cddb1cdbdd7c", "Done"), ("3ece093dfc20c752", "Done"), ("ca9fcd1d6069df9", "Done")],
            Journal(run));
        Assert.Equal(["One", "Two", "Three"], run["journal"]!.AsArray().Skip(1).Select(e => (string)e!["inputs"]!["text"]!));
    }

    [Fact]
    public async Task Instance_serialization_without_a_Start_sets_its_variable_to_the_object_the_script_returns()
    {
        var account = await hub.NewAccountAsync();
        var id = await ImportAndPublish(account, CorpusFile("elsa-core__instance-serialization.json"));

        var run = await Run(account, id);

        Assert.Equal("completed", (string)run["status"]!);
        Assert.Equal([("d4f32ee0ad659ba5", "Done"), ("31c60a181a1a66d8", "Done")], Journal(run));
        // The object holds a "$id" field; it survives the run's state and the copy into Variable2 (return getVariable1()).
        foreach (var variable in new[] { "Variable1", "Variable2" })
        {
            var schema = run["variables"]![variable]!["inputSchema"]!;
            Assert.Equal("#/definitions/inform-front-office-input-afd", (string)schema["$id"]!);
            Assert.Equal("object", (string)schema["type"]!);
        }
    }

    [Fact]
    public async Task Implicit_loop_goes_round_its_back_edge_until_the_counter_passes_one()
    {
        var account = await hub.NewAccountAsync();
        var id = await ImportAndPublish(account, CorpusFile("elsa-core__implicit-loop.json"));

        var run = await Run(account, id);

        Assert.Equal("completed", (string)run["status"]!);
        Assert.Equal(2, (int)run["variables"]!["Counter"]!);
        Assert.Equal(
            [("Start1", "Done"), ("WriteLine1", "Done"), ("SetVariable1", "Done"), ("FlowDecision1", "False"), ("WriteLine2", "Done"),
             ("WriteLine1", "Done"), ("SetVariable1", "Done"), ("FlowDecision1", "True"), ("WriteLine3", "Done")],
            Journal(run));
    }

    [Fact]
    public async Task Workflow4_starts_at_root_start_and_takes_the_true_branch_through_its_delay()
    {
        var account = await hub.NewAccountAsync();
        var id = await ImportAndPublish(account, CorpusFile("elsa-core__workflow4.json"));

        var run = await Run(account, id);
        Assert.Equal("suspended", (string)run["status"]!); // Delay1: five seconds
        var done = await WaitForStatus(account, (string)run["id"]!, "completed", seconds: 30);

        var journal = Journal(done);
        Assert.Equal(("WriteLine1", "Done"), journal[0]);
        // Elsa runs the activities of the decision's True branch; the False branch (Delay2, WriteLine8) never runs.
        Assert.Equal(["Delay1", "FlowDecision1", "WriteLine1", "WriteLine2", "WriteLine3", "WriteLine4", "WriteLine6", "WriteLine7"],
            journal.Select(e => e.Id).Distinct().Order(StringComparer.Ordinal));
        Assert.All(journal.Where(e => e.Id == "FlowDecision1"), e => Assert.Equal("True", e.Outcome));
        Assert.Equal(["WriteLine1", "WriteLine2", "WriteLine3"], journal.Take(3).Select(e => e.Id));
    }

    [Fact]
    public async Task Triggers_answers_GET_at_its_path_with_or_without_a_leading_slash_and_its_run_completes()
    {
        var account = await hub.NewAccountAsync();
        var id = await ImportAndPublish(account, CorpusFile("elsa-core__triggers.json"));

        foreach (var path in new[] { "/workflows/http/triggers", "/workflows/http//triggers/" })
        {
            var answer = await (await hub.Anonymous().GetAsync(path)).ExpectAsync(HttpStatusCode.Accepted);
            Assert.Equal("completed", (string)answer["status"]!);
            var run = await Get(account, (string)answer["run_id"]!);
            Assert.Equal([("607c2042a187fe5a", "Done")], Journal(run));
            Assert.Equal("GET", (string)run["journal"]![0]!["outputs"]!["method"]!);
        }
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await hub.Anonymous().PostAsync("/workflows/http/triggers", Body("{}"))).StatusCode);
        Assert.Equal(2, (await (await account.Http.GetAsync($"/v1/workflow-runs?definition_id={id}")).ExpectAsync(HttpStatusCode.OK))["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task Get_user_reports_its_CSharp_and_runs_with_JavaScript_in_its_place_through_route_data_and_status_ports()
    {
        var account = await hub.NewAccountAsync();
        var original = CorpusFile("elsa-guides__get-user.json");
        var (_, report) = await Import(account, original);
        // The two C# expressions are what cannot run here; everything else is supported.
        Assert.Equal(["47898b89878097e2.url", "595a8892f09a15cd.value"],
            report.Where(e => (string)e!["support"]! != "supported").Select(e => $"{e!["activity_id"]}.{e["input"]}").Order(StringComparer.Ordinal));
        Assert.All(report.Where(e => (string)e!["support"]! == "unsupported"), e => Assert.Equal("CSharp expressions are not supported", (string)e!["note"]!));

        // The same definition with those two expressions written in JavaScript, as an Elsa user would port them.
        await using var api = new FakeApi();
        var definition = JsonNode.Parse(original)!;
        definition["definitionId"] = "get-user-js";
        var activities = definition["root"]!["activities"]!.AsArray();
        activities.Single(a => (string)a!["type"]! == "Elsa.FlowSendHttpRequest")!["url"]!["expression"] =
            new JsonObject { ["type"] = "JavaScript", ["value"] = $"`{api.Url("/api/users/")}${{getUserId()}}`" };
        activities.Single(a => (string)a!["type"]! == "Elsa.SetVariable")!["value"]!["expression"] =
            new JsonObject { ["type"] = "JavaScript", ["value"] = "getRouteData()['userid']" };
        var id = await ImportAndPublish(account, definition.ToJsonString());

        var found = await hub.Anonymous().GetAsync("/workflows/http/users/2");
        var user = await found.ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((2, "Janet"), ((int)user["id"]!, (string)user["first_name"]!));
        var missing = await hub.Anonymous().GetAsync("/workflows/http/Users/23");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(["/api/users/2", "/api/users/23"], api.Received);

        var runs = (await (await account.Http.GetAsync($"/v1/workflow-runs?definition_id={id}")).ExpectAsync(HttpStatusCode.OK))["data"]!.AsArray();
        var first = await Get(account, (string)runs.Last()!["id"]!);
        Assert.Equal(
            [("27607e7c43471471", "Done"), ("595a8892f09a15cd", "Done"), ("47898b89878097e2", "200"), ("a5b0c7c420f89a11", "Done")],
            Journal(first));
        // routeData went into the RouteData variable and the parsed response into User, both bound by memoryReference.
        Assert.Equal("2", (string)first["variables"]!["RouteData"]!["userid"]!);
        Assert.Equal("2", (string)first["variables"]!["UserId"]!);
        Assert.Equal("Janet", (string)first["variables"]!["User"]!["data"]!["first_name"]!);
        var second = await Get(account, (string)runs.First()!["id"]!);
        Assert.Equal(("47898b89878097e2", "404"), Journal(second)[2]);
        Assert.Equal(("1e6c1edf20c4b6f7", "Done"), Journal(second)[3]);
    }

    [Fact]
    public async Task Weather_forecast_renders_the_response_it_fetched_into_an_html_table_with_Liquid()
    {
        var account = await hub.NewAccountAsync();
        await using var api = new FakeApi();
        // The guide calls its own API at https://localhost:5001; here the same call goes to a loopback fake of it.
        var definition = JsonNode.Parse(CorpusFile("elsa-guides__weatherforecast-workflow.json"))!;
        definition["root"]!["activities"]!.AsArray().Single(a => (string)a!["type"]! == "Elsa.FlowSendHttpRequest")!["url"]!["expression"]!["value"] =
            api.Url("/weatherforecast");
        var id = await ImportAndPublish(account, definition.ToJsonString());

        var response = await hub.Anonymous().GetAsync("/workflows/http/weatherforecast-from-designer");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<td class=\"whitespace-nowrap px-3 py-4 text-sm text-gray-500\">21/69</td>", html);
        Assert.Contains(">Mild</td>", html);
        Assert.Contains(">Scorching</td>", html);
        var runs = (await (await account.Http.GetAsync($"/v1/workflow-runs?definition_id={id}")).ExpectAsync(HttpStatusCode.OK))["data"]!.AsArray();
        var run = await Get(account, (string)Assert.Single(runs)!["id"]!);
        Assert.Equal([("FEVLhr4sl06_Uy27UaJsHA", "Done"), ("MtnCBYVLXk67JL0NQtL_9w", "200"), ("A3xxw4fyvkuphGrBdjSMSQ", "Done")], Journal(run));
        Assert.Equal(2, run["variables"]!["WeatherForecasts"]!.AsArray().Count);
    }

    /// <summary>The APIs the corpus calls (reqres.in's users, the guide's weather forecast), on a loopback port.</summary>
    private sealed class FakeApi : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly List<string> _received = [];

        public FakeApi()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            _app = builder.Build();
            _app.MapGet("/api/users/{id:int}", (int id) =>
            {
                lock (_received) _received.Add($"/api/users/{id}");
                return id == 2
                    ? Results.Json(new { data = new { id = 2, email = "janet.weaver@reqres.in", first_name = "Janet", last_name = "Weaver" } })
                    : Results.Json(new { }, statusCode: 404);
            });
            _app.MapGet("/weatherforecast", () => Results.Text("""
                [ { "Date": "2024-01-21", "TemperatureC": 21, "TemperatureF": 69, "Summary": "Mild" },
                  { "Date": "2024-01-22", "TemperatureC": 45, "TemperatureF": 112, "Summary": "Scorching" } ]
                """, "application/json", Encoding.UTF8));
            _app.StartAsync().GetAwaiter().GetResult();
        }

        public string Url(string path) =>
            _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + path;

        public IReadOnlyList<string> Received
        {
            get
            {
                lock (_received) return [.. _received];
            }
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}

public sealed class SqliteElsaCorpusRunTests(SqliteHub hub) : ElsaCorpusRunTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresElsaCorpusRunTests(PostgresHub hub) : ElsaCorpusRunTests(hub), IClassFixture<PostgresHub>;
