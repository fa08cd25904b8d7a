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

        // FlowDecision1 has two inbound connections (WriteLine2, WriteLine3): as in Elsa it runs once, after both. The False
        // branch (Delay2, WriteLine8) never runs. Delay1 is journaled when it begins to wait and when it resumes.
        Assert.Equal(
            [("WriteLine1", "Done"), ("WriteLine2", "Done"), ("WriteLine3", "Done"), ("WriteLine4", "Done"), ("FlowDecision1", "True"),
             ("WriteLine6", "Done"), ("Delay1", "Suspended"), ("Delay1", "Done"), ("WriteLine7", "Done")],
            Journal(done));
    }

    [Fact]
    public async Task Fork_decision_join_waitall_prints_A_C_B_D_then_faults_at_the_Fault_and_never_joins()
    {
        var account = await hub.NewAccountAsync();
        var id = await ImportAndPublish(account, CorpusFile("elsa-core__fork-decision-join-waitall.json"));

        var run = await Run(account, id);

        // Elsa's own test of this file expects the lines A, C, B, D: the decision is false, so E never runs and the WaitAll join
        // (one of whose paths can no longer be taken) is skipped with F after it; the Fault faults the run.
        Assert.Equal("faulted", (string)run["status"]!);
        Assert.Equal(["A", "C", "B", "D"], run["journal"]!.AsArray().Where(e => (string)e!["activity_type"]! == "Elsa.WriteLine")
            .Select(e => (string)e!["inputs"]!["text"]!));
        Assert.Equal(("35c0f40b240666c6", "False"), Journal(run)[^2]);
        Assert.Equal(("cfffbc06a0b6eeb0", "Faulted"), Journal(run)[^1]);
        Assert.Equal("that went south (code 110002, category failure, type System)", (string)run["incident"]!["message"]!);
    }

    [Fact]
    public async Task Join_active_branches_only_runs_both_branches_and_faults_without_joining()
    {
        var account = await hub.NewAccountAsync();
        var id = await ImportAndPublish(account, CorpusFile("elsa-core__join-active-branches-only.json"));

        var run = await Run(account, id);

        Assert.Equal("faulted", (string)run["status"]!);
        Assert.Equal(
            [("a8ffcec0d7553fa4", "Done"), ("c1a7d756c9ad7597", "Done"), ("896ddf80e59c66ef", "Done"), ("35c0f40b240666c6", "False"), ("cfffbc06a0b6eeb0", "Faulted")],
            Journal(run));
    }

    [Fact]
    public async Task Join_all_2_joins_a_line_and_a_FlowNode_whose_body_is_a_nested_flowchart()
    {
        var account = await hub.NewAccountAsync();
        var id = await ImportAndPublish(account, CorpusFile("elsa-core__join-all-2.json"));

        var run = await Run(account, id);

        Assert.Equal("completed", (string)run["status"]!);
        Assert.Equal(
            [("2yPLgUudQEGPaschdLdkGg", "Done"), ("7RQ2sbVHo0SxsyK0dvTKEA", "Done"), ("eHAEEQ-Iu0GwM3mRxZin0Q", "Running"), ("g3jVTdvU3EK7V5JqRqfqjQ", "Done"),
             ("eHAEEQ-Iu0GwM3mRxZin0Q", "Done"), ("dVUuwMm5XUiYpiYoGo5JKA", "Done"), ("NpZ_yT_irUuE9ASEfYLxbw", "Done")],
            Journal(run));
        Assert.Equal(["Start", "Line 1", "Line 2", "End"], run["journal"]!.AsArray().Where(e => (string)e!["activity_type"]! == "Elsa.WriteLine")
            .Select(e => (string)e!["inputs"]!["text"]!));
    }

    [Fact]
    public async Task Workflow5_waits_in_its_FlowNode_for_Event4_and_completes_when_the_event_comes()
    {
        var account = await hub.NewAccountAsync();
        var id = await ImportAndPublish(account, CorpusFile("elsa-core__workflow5.json"));

        var run = await Run(account, id);
        Assert.Equal("suspended", (string)run["status"]!);
        Assert.Equal("Event4", (string)Assert.Single(run["waiting_for"]!.AsArray())!["key"]!);
        await (await account.Http.PostAsync("/v1/workflow-events", Body("""{ "name": "Event4" }"""))).ExpectAsync(HttpStatusCode.Accepted);

        var done = await WaitForStatus(account, (string)run["id"]!, "completed");
        Assert.Equal(
            [("MLDV_altcUO5MwP7p5xJWw", "Done"), ("HG4wfBhvlEW_149HwNyzHw", "Running"), ("EIh3Q0Um1U-QSCh1b3GBjQ", "Done"), ("8KVHRw-WpUizyxOq0C6Nvg", "Suspended"),
             ("0Z7Velr5CEW_r7YYoeEjBQ", "Done"), ("8KVHRw-WpUizyxOq0C6Nvg", "Done"), ("HG4wfBhvlEW_149HwNyzHw", "Done")],
            Journal(done));
    }

    [Fact]
    public async Task Workflow6_writes_each_fruit_from_its_ParallelForEach_body_then_End()
    {
        var account = await hub.NewAccountAsync();
        var id = await ImportAndPublish(account, CorpusFile("elsa-core__workflow6.json"));

        var run = await Run(account, id);

        Assert.Equal("completed", (string)run["status"]!);
        Assert.Equal(["Start", "Current fruit: Apple", "Current fruit: Banana", "Current fruit: Cherry", "End"],
            run["journal"]!.AsArray().Where(e => (string)e!["activity_type"]! == "Elsa.WriteLine").Select(e => (string)e!["inputs"]!["text"]!));
        Assert.Equal([("By4rVs_-2kSDENFO-bniRg", "Running"), ("By4rVs_-2kSDENFO-bniRg", "Done")], Journal(run).Where(e => e.Id == "By4rVs_-2kSDENFO-bniRg"));
    }

    [Fact]
    public async Task Parallel_join_completes_its_ParallelForEach_once_after_each_body_joined_at_its_WaitAny()
    {
        var account = await hub.NewAccountAsync();
        var id = await ImportAndPublish(account, CorpusFile("elsa-core__parallel-join.json"));

        var run = await Run(account, id);

        Assert.Equal("completed", (string)run["status"]!);
        var journal = Journal(run);
        Assert.Single(journal, e => e == ("70fc1183cd5800f2", "Done")); // Elsa's test: the ParallelForEach completes once
        Assert.Equal(3, journal.Count(e => e == ("33665f061d96b957", "False")));
        Assert.Equal(3, journal.Count(e => e == ("1f8625e278b74aa3", "Done")));
        Assert.Equal(3, journal.Count(e => e == ("343d233a75d8d8e9", "Done")));
        Assert.DoesNotContain(journal, e => e.Id == "e27177eb5965bd6b"); // the decision's True branch is never taken
    }

    [Fact]
    public async Task Child_with_outcomes_completes_with_the_outcome_its_Complete_names()
    {
        var account = await hub.NewAccountAsync();
        var id = await ImportAndPublish(account, CorpusFile("elsa-core__child-with-outcomes.json"));

        var run = await Run(account, id);

        Assert.Equal("completed", (string)run["status"]!);
        Assert.Equal([("a093b294de68dc32", "Success")], Journal(run));
        Assert.Equal(["Success"], run["outcomes"]!.AsArray().Select(o => (string)o!));
    }

    [Fact]
    public async Task Child_runs_its_lines_and_script_into_Variable1_and_completes_with_Success()
    {
        var account = await hub.NewAccountAsync();
        var id = await ImportAndPublish(account, CorpusFile("elsa-core__child.json"));

        var run = await Run(account, id);

        Assert.Equal("completed", (string)run["status"]!);
        Assert.Equal(
            [("a3625dd2e8405265", "Done"), ("31d29bf86b2b62cb", "Done"), ("fb20dbd8777282b2", "Done"), ("57576570e00a4c70", "Done"),
             ("caa57f31b8d0e0d1", "Done"), ("8654ab45535f4069", "Success")],
            Journal(run));
        Assert.Equal("ceva", (string)run["variables"]!["Variable1"]!["prop1"]!);
        Assert.Equal(["Success"], run["outcomes"]!.AsArray().Select(o => (string)o!));
    }

    [Fact]
    public async Task Sub_sets_its_toMain_output_from_its_fromMain_input()
    {
        var account = await hub.NewAccountAsync();
        var id = await ImportAndPublish(account, CorpusFile("elsa-core__sub.json"));

        var run = await Run(account, id, """{ "fromMain": " from main" }""");

        Assert.Equal("completed", (string)run["status"]!);
        Assert.Equal([("SetOutput1", "Done")], Journal(run));
        Assert.Equal("hi there from main", (string)run["output"]!["toMain"]!);
    }

    [Fact]
    public async Task Child_workflow_guide_writes_its_line_and_sets_its_Response_output()
    {
        var account = await hub.NewAccountAsync();
        var id = await ImportAndPublish(account, CorpusFile("elsa-guides__child-workflow.json"));

        var run = await Run(account, id);

        Assert.Equal("completed", (string)run["status"]!);
        Assert.Equal([("9a0181f7223d957", "Done"), ("f9d7214a0adc6866", "Done")], Journal(run));
        Assert.Equal("Hello from Child", (string)run["output"]!["Response"]!);
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

    [Fact]
    public async Task Parent_with_input_executes_child_with_input_and_waits_for_the_child_to_write_its_message()
    {
        var account = await hub.NewAccountAsync();
        var childId = await ImportAndPublish(account, CorpusFile("elsa-core__child-with-input.json"));
        var parentId = await ImportAndPublish(account, CorpusFile("elsa-core__parent-with-input.json"));

        var started = await Run(account, parentId);

        var parent = await WaitForStatus(account, (string)started["id"]!, "completed");
        Assert.Equal([("ExecuteWorkflow1", "Suspended"), ("ExecuteWorkflow1", "Done")], Journal(parent));
        var child = await Get(account, (string)Assert.Single(await RunsOf(account, childId))!["id"]!);
        Assert.Equal("completed", (string)child["status"]!);
        Assert.Equal((string)started["id"]!, (string)child["input"]!["ParentInstanceId"]!);
        Assert.Equal([("WriteLine1", "Done")], Journal(child));
        Assert.Equal("Child received: Hello from parent", (string)child["journal"]![0]!["inputs"]!["text"]!);
        var result = parent["journal"]![1]!["outputs"]!["result"]!;
        Assert.Equal(((string)child["id"]!, "Finished"), ((string)result["workflowInstanceId"]!, (string)result["status"]!));
    }

    private static async Task<string> ImportAndPublishChild(HubClient account, string file)
    {
        var (id, report) = await Import(account, CorpusFile(file));
        Assert.DoesNotContain(report, e => (string)e!["support"]! == "unsupported");
        await (await account.Http.PostAsync($"/v1/workflows/{id}/publish", null)).ExpectAsync(HttpStatusCode.OK);
        return id;
    }

    [Fact]
    public async Task A_parent_imported_before_its_child_says_which_child_it_is_missing()
    {
        var account = await hub.NewAccountAsync();
        await AssertWaitsForItsChild(account, "elsa-core__parent.json", "abcd6d3d391bfe10", "b8b45fd4dbffad5d");
        await AssertWaitsForItsChild(account, "elsa-core__parent-with-outcomes.json", "ChildActivity1", "7ee5c04453217e3f");
        await AssertWaitsForItsChild(account, "elsa-core__main.json", "Sub1", "2f6ba5802e254082b00bd4dab00e650a");
    }

    private static async Task AssertWaitsForItsChild(HubClient account, string parentFile, string activityId, string childDefinitionId)
    {
        var (_, report) = await Import(account, CorpusFile(parentFile));
        var entry = report.Single(e => (string)e!["activity_id"]! == activityId && e["input"] is null)!;
        Assert.Equal("unsupported", (string)entry["support"]!);
        Assert.Contains($"no published workflow '{childDefinitionId}'", (string)entry["note"]!);
    }

    [Fact]
    public async Task Parent_runs_SubworkflowTest_as_an_activity_and_follows_the_outcome_its_child_completed_with()
    {
        var account = await hub.NewAccountAsync();
        await ImportAndPublishChild(account, "elsa-core__child.json");
        var parentId = await ImportAndPublish(account, CorpusFile("elsa-core__parent.json"));
        var run = await WaitForStatus(account, (string)(await Run(account, parentId))["id"]!, "completed");
        // The child ends in Elsa.Complete with the outcome Success: the parent takes its Success port.
        Assert.Equal([("8b7bf9cd03c066fa", "Done"), ("abcd6d3d391bfe10", "Suspended"), ("abcd6d3d391bfe10", "Success"), ("77069142b8b9da15", "Done")],
            Journal(run));
    }

    [Fact]
    public async Task Parent_with_outcomes_routes_on_the_outcome_ChildWithOutcomes_completed_with()
    {
        var account = await hub.NewAccountAsync();
        await ImportAndPublishChild(account, "elsa-core__child-with-outcomes.json");
        var parentId = await ImportAndPublish(account, CorpusFile("elsa-core__parent-with-outcomes.json"));
        var run = await WaitForStatus(account, (string)(await Run(account, parentId))["id"]!, "completed");
        Assert.Equal([("ChildActivity1", "Suspended"), ("ChildActivity1", "Success"), ("WriteLineSuccess", "Done")], Journal(run));
    }

    [Fact]
    public async Task Main_passes_its_input_to_Sub_used_as_an_activity_and_answers_with_the_output_Sub_set()
    {
        var account = await hub.NewAccountAsync();
        await ImportAndPublishChild(account, "elsa-core__sub.json");
        var mainId = await ImportAndPublish(account, CorpusFile("elsa-core__main.json"));
        var answer = await hub.Anonymous().GetAsync("/workflows/http/mymain");
        var runId = answer.StatusCode == HttpStatusCode.OK ? (string)Assert.Single(await RunsOf(account, mainId))!["id"]! : (string)(await answer.JsonAsync())["run_id"]!;
        var run = await WaitForStatus(account, runId, "completed");
        Assert.Equal("hi thereobi wan kenobi", (string)run["variables"]!["fromSub"]!);
    }

    [Fact]
    public async Task Guides_parent_workflow_dispatches_child_workflow_and_waits_for_its_Response_output()
    {
        var account = await hub.NewAccountAsync();
        await ImportAndPublishChild(account, "elsa-guides__child-workflow.json");
        var parentId = await ImportAndPublish(account, CorpusFile("elsa-guides__parent-workflow.json"));

        var run = await Run(account, parentId);

        var done = await WaitForStatus(account, (string)run["id"]!, "completed");
        Assert.Equal([("ee246217a978e435", "Done"), ("5eb83162f174f7e0", "Suspended"), ("5eb83162f174f7e0", "Done"), ("974f20591ec5ad31", "Done")],
            Journal(done));
        Assert.Equal("Hello from Child", (string)done["journal"]![3]!["inputs"]!["text"]!);
    }

    [Fact]
    public async Task Employee_onboarding_waits_on_each_RunTask_until_it_is_completed_through_the_API()
    {
        var account = await hub.NewAccountAsync();
        var id = await ImportAndPublish(account, CorpusFile("elsa-guides__employee-onboarding.json"));

        var run = await Run(account, id, """{ "Employee": { "name": "Ada Lovelace", "email": "ada@example.com" } }""");

        var runId = (string)run["id"]!;
        Assert.Equal("suspended", (string)run["status"]!);
        var first = Assert.Single(await PendingTasks(account, runId))!;
        Assert.Equal("Create Email Account", (string)first["name"]!);
        Assert.Equal("Ada Lovelace", (string)first["payload"]!["employee"]!["name"]!);
        await (await account.Http.PostAsync($"/v1/workflow-tasks/{first["id"]}/complete", Body("""{ "result": { "account": "ada" } }""")))
            .ExpectAsync(HttpStatusCode.OK);

        // The run usually goes on in the completing request; if the worker got to it first, it goes on there.
        var next = new JsonArray();
        await RunWorkflows.WaitUntilAsync(async () => (next = await PendingTasks(account, runId)).Count == 3, 20, "the three next tasks were not requested");
        Assert.Equal(["Add to HR System", "Create GitHub Account", "Create Slack Account"], next.Select(t => (string)t!["name"]!).Order(StringComparer.Ordinal));
        // Elsa.End has three inbound connections: as in Elsa 3's flowchart, it runs once all three tasks are done.
        await (await account.Http.PostAsync($"/v1/workflow-tasks/{next[0]!["id"]}/complete", Body("{}"))).ExpectAsync(HttpStatusCode.OK);
        await (await account.Http.PostAsync($"/v1/workflow-tasks/{next[1]!["id"]}/complete", Body("{}"))).ExpectAsync(HttpStatusCode.OK);
        await RunWorkflows.WaitUntilAsync(async () => (await PendingTasks(account, runId)).Count == 1, 20, "two tasks did not complete");
        var waiting = await (await account.Http.GetAsync($"/v1/workflow-runs/{runId}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("suspended", (string)waiting["status"]!);
        await (await account.Http.PostAsync($"/v1/workflow-tasks/{next[2]!["id"]}/complete", Body("{}"))).ExpectAsync(HttpStatusCode.OK);
        var done = await WaitForStatus(account, runId, "completed");
        var journal = Journal(done);
        Assert.Equal([("a2f276be6a01814b", "Done"), ("b39d18dd92744edd", "Suspended"), ("b39d18dd92744edd", "Done")], journal[..3]);
        Assert.Equal(("39e34650a307633e", "Finished"), journal[^1]);
        Assert.Single(journal, entry => entry.Id == "39e34650a307633e");
        var again = await (await account.Http.PostAsync($"/v1/workflow-tasks/{next[2]!["id"]}/complete", Body("{}"))).ExpectProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("already", again.ToJsonString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Visual_document_approval_from_Elsa_2_emails_the_approver_through_the_outbox_and_answers_the_request()
    {
        var account = await hub.NewAccountAsync();
        // Its email bodies link with Elsa 2's signal_url Liquid filter, which the hub does not define; ported as an Elsa 3
        // user would (the links' text upper-cased instead), the rest as published.
        var ported = ElsaCorpus.Read("elsa2", "elsa-guides__VisualDocumentApprovalWorkflow.json").Replace("| signal_url", "| upcase");
        var (id, report) = await Import(account, ported);
        Assert.DoesNotContain(report, e => (string)e!["support"]! == "unsupported");
        await (await account.Http.PostAsync($"/v1/workflows/{id}/publish", null)).ExpectAsync(HttpStatusCode.OK);

        var answer = await hub.Anonymous().PostAsync("/workflows/http/v2/documents",
            Body("""{ "Id": "doc-1", "Author": { "Name": "Ada", "Email": "ada@example.com" } }"""));

        Assert.True(answer.StatusCode == HttpStatusCode.OK,
            $"{answer.StatusCode}: {await answer.Content.ReadAsStringAsync()} " +
            (await (await account.Http.GetAsync($"/v1/workflow-runs?definition_id={id}")).JsonAsync()).ToJsonString());
        Assert.Contains("Request for Approval Sent", await answer.Content.ReadAsStringAsync());
        // Elsa.SendEmail 008808a6: to josh@acme.com, from approver@acme.com (the hub's address, that name).
        var sent = await hub.OutboxAsync("josh@acme.com");
        var email = Assert.Single(sent, e => e.AccountId == account.AccountId);
        Assert.Equal(("approver@acme.com", "workflow"), (email.FromName, email.Kind));
        Assert.StartsWith("Document received from", email.Subject);
    }

    private static async Task<JsonArray> PendingTasks(HubClient account, string runId) =>
        (await (await account.Http.GetAsync($"/v1/workflow-tasks?run_id={runId}&status=pending")).ExpectAsync(HttpStatusCode.OK))["data"]!.AsArray();

    private static async Task<JsonArray> RunsOf(HubClient account, string definitionId) =>
        (await (await account.Http.GetAsync($"/v1/workflow-runs?definition_id={definitionId}")).ExpectAsync(HttpStatusCode.OK))["data"]!.AsArray();

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
