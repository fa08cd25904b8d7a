using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ESign.Hub.Tests.Infrastructure;
using static ESign.Hub.Tests.Workflows.ElsaSamples;
using static ESign.Hub.Tests.Workflows.WorkflowRunTests;

namespace ESign.Hub.Tests.Workflows;

/// <summary>
/// Elsa.RunTask over the API: the run waits while its task is listed (<c>GET /v1/workflow-tasks</c>) and announced as a
/// <c>workflow_run.task_requested</c> webhook; <c>POST /v1/workflow-tasks/{id}/complete</c> resumes it with the result, once.
/// </summary>
public abstract class WorkflowTaskTests(HubFactory hub)
{
    private static string TaskThenEcho() => Flowchart(
        $"{Activity("start", "Elsa.Start")}, " +
        $"{Activity("task", "Elsa.RunTask", $"{Literal("taskName", "Approve invoice")}, {Js("payload", "({ invoice: getInput('invoice') })")}")}, " +
        $"{Activity("echo", "Elsa.WriteLine", Js("text", "'approved by ' + getOutputFrom('task', 'result').by"))}",
        $"{Link("start", "Done", "task")}, {Link("task", "Done", "echo")}");

    private static async Task<JsonArray> Tasks(HubClient account, string query) =>
        (await (await account.Http.GetAsync($"/v1/workflow-tasks{query}")).ExpectAsync(HttpStatusCode.OK))["data"]!.AsArray();

    [Fact]
    public async Task A_run_waits_for_its_task_which_is_listed_announced_and_completed_once_with_a_result()
    {
        await using var receiver = new WebhookReceiver();
        var account = await hub.NewAccountAsync();
        var endpoint = await (await account.Http.PostJsonAsync("/v1/webhook-endpoints",
            new { url = receiver.Url, events = new[] { "workflow_run.task_requested" } })).ExpectAsync(HttpStatusCode.Created);
        receiver.Secrets.Add((string)endpoint["secret"]!);
        var id = await Publish(account, TaskThenEcho());

        var run = await Run(account, id, """{ "invoice": "INV-7" }""");

        Assert.Equal("suspended", (string)run["status"]!);
        Assert.Equal("task", (string)run["waiting_for"]![0]!["kind"]!);
        var task = Assert.Single(await Tasks(account, $"?run_id={run["id"]}&status=pending"))!;
        Assert.Equal("Approve invoice", (string)task["name"]!);
        Assert.Equal("INV-7", (string)task["payload"]!["invoice"]!);
        Assert.Equal("pending", (string)task["status"]!);
        Assert.Empty(await Tasks(account, $"?run_id={run["id"]}&status=completed"));
        var announced = (await receiver.WaitAsync(r => r.Count >= 1)).Single();
        Assert.True(announced.Valid);
        Assert.Equal("workflow_run.task_requested", announced.Type);
        Assert.Equal((string)task["id"]!, (string)announced.Json["data"]!["workflow_task"]!["id"]!);
        Assert.Equal((string)run["id"]!, (string)announced.Json["data"]!["workflow_task"]!["run_id"]!);

        var completed = await (await account.Http.PostAsJsonAsync($"/v1/workflow-tasks/{task["id"]}/complete", new { result = new { by = "Grace" } }))
            .ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("completed", (string)completed["status"]!);
        Assert.Equal("Grace", (string)completed["result"]!["by"]!);
        var done = await WaitForStatus(account, (string)run["id"]!, "completed");
        Assert.Equal("approved by Grace", (string)done["journal"]!.AsArray().Last()!["inputs"]!["text"]!);
        Assert.Single(await Tasks(account, $"?run_id={run["id"]}&status=completed"));
        var again = await (await account.Http.PostAsJsonAsync($"/v1/workflow-tasks/{task["id"]}/complete", new { result = "twice" }))
            .ExpectProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("already completed", again.ToJsonString());
        Assert.Equal(["start", "task", "task", "echo"], (await Get(account, (string)run["id"]!))["journal"]!.AsArray().Select(e => (string)e!["activity_id"]!));
    }

    [Fact]
    public async Task Task_requests_are_private_to_their_account_and_bad_requests_are_problems()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, TaskThenEcho());
        var run = await Run(account, id, """{ "invoice": "INV-8" }""");
        var task = Assert.Single(await Tasks(account, $"?run_id={run["id"]}"))!;
        var stranger = await hub.NewAccountAsync();

        Assert.Empty(await Tasks(stranger, ""));
        await (await stranger.Http.PostAsJsonAsync($"/v1/workflow-tasks/{task["id"]}/complete", new { result = 1 })).ExpectProblemAsync(HttpStatusCode.NotFound);
        await (await account.Http.GetAsync("/v1/workflow-tasks?status=sleeping")).ExpectProblemAsync(HttpStatusCode.BadRequest);
        await (await account.Http.GetAsync("/v1/workflow-tasks?limit=101")).ExpectProblemAsync(HttpStatusCode.BadRequest);
        var tooLarge = new { result = new string('x', 256 * 1024 - 1) }; // with its quotes, one character over the limit
        await (await account.Http.PostAsJsonAsync($"/v1/workflow-tasks/{task["id"]}/complete", tooLarge)).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("suspended", (string)(await Get(account, (string)run["id"]!))["status"]!);
        var justUnder = new { result = new string('x', 256 * 1024 - 2) }; // with its quotes, exactly the limit
        await (await account.Http.PostAsJsonAsync($"/v1/workflow-tasks/{task["id"]}/complete", justUnder)).ExpectAsync(HttpStatusCode.OK);
        await WaitForStatus(account, (string)run["id"]!, "completed");
    }
}

public sealed class SqliteWorkflowTaskTests(SqliteHub hub) : WorkflowTaskTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresWorkflowTaskTests(PostgresHub hub) : WorkflowTaskTests(hub), IClassFixture<PostgresHub>;
