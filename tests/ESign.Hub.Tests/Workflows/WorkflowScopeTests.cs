using System.Net;
using System.Text.Json.Nodes;
using ESign.Hub.Tests.Infrastructure;
using static ESign.Hub.Tests.Workflows.ElsaSamples;
using static ESign.Hub.Tests.Workflows.RunWorkflows;
using static ESign.Hub.Tests.Workflows.WorkflowRunTests;

namespace ESign.Hub.Tests.Workflows;

/// <summary>
/// workflows:manage defines and starts workflows; it does not grant what the hub's activities do. A run acts with the
/// scopes of the credential that started it, a run a trigger started with those of the workflow's publisher, and each
/// activity faults with an incident naming the scope it lacks.
/// </summary>
public abstract class WorkflowScopeTests(HubFactory hub)
{
    /// <summary>A key of the admin's account and mode with only these scopes.</summary>
    private async Task<HttpClient> KeyAsync(HubClient admin, params string[] scopes)
    {
        var created = await (await admin.Http.PostJsonAsync("/v1/api-keys", new { name = "Workflow key", scopes })).ExpectAsync(HttpStatusCode.Created);
        return hub.WithToken((string)created["key"]!);
    }

    private static string EmailTo(string address) => Flowchart(
        $"{Activity("start", "Elsa.Start")}, " +
        $"{Activity("email", "Hub.Email.Send", $"{Literal("to", address)}, {Literal("subject", "Hello")}, {Literal("body", "From a workflow")}")}, " +
        $"{Activity("end", "Elsa.End")}",
        $"{Link("start", "Done", "email")}, {Link("email", "Done", "end")}");

    private static string OnEventEmailTo(string eventName, string address) => Flowchart(
        $"{Activity("on", "Elsa.Event", $"{Literal("eventName", eventName)}, \"customProperties\": {{ \"canStartWorkflow\": true }}")}, " +
        $"{Activity("email", "Hub.Email.Send", $"{Literal("to", address)}, {Literal("subject", "Hello")}, {Literal("body", "From a workflow")}")}",
        Link("on", "Done", "email"));

    private static void AssertFaultedFor(JsonNode run, string activityId, string scope)
    {
        Assert.Equal("faulted", (string)run["status"]!);
        Assert.Equal(activityId, (string)run["incident"]!["activity_id"]!);
        Assert.Contains($"needs the scope '{scope}'", (string)run["incident"]!["message"]!);
    }

    [Fact]
    public async Task A_workflows_manage_key_cannot_email_generate_or_send_through_a_run()
    {
        var admin = await hub.NewAccountAsync();
        var manager = await KeyAsync(admin, "workflows:manage");
        var address = NewAddress("scope");

        var email = await Publish(manager, EmailTo(address));
        AssertFaultedFor(await Run(manager, email), "email", "email:send");
        Assert.Empty(await hub.OutboxAsync(address));

        var template = await (await admin.Http.PostJsonAsync("/v1/templates", new { name = "Offer", kind = "html", content = "<p>{{ name }}</p>", roles = new[] { "client" } }))
            .ExpectAsync(HttpStatusCode.Created);
        var generate = await Publish(manager, Flowchart(
            $"{Activity("start", "Elsa.Start")}, " +
            $"{Activity("generate", "Hub.Document.Generate", $"{Literal("template", (string)template["id"]!)}, {Js("data", "({ name: 'Ada' })")}")}",
            Link("start", "Done", "generate")));
        AssertFaultedFor(await Run(manager, generate), "generate", "documents:write");

        var documentId = await admin.Http.UploadPdfAsync();
        var send = await Publish(manager, Flowchart(
            $"{Activity("start", "Elsa.Start")}, " +
            $"{Activity("send", "Hub.ESign.SendForSignature", $"{Literal("documentId", documentId)}, {Literal("title", "Offer")}, " +
                $"{Js("signers", $"[{{ name: 'Ann Lee', email: '{address}' }}]")}")}",
            Link("start", "Done", "send")));
        AssertFaultedFor(await Run(manager, send), "send", "signature_requests:write");
        var requests = await (await admin.Http.GetAsync("/v1/signature-requests")).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(requests["data"]!.AsArray());

        // A credential that holds the scope runs the same published workflow to the end.
        var mailer = await KeyAsync(admin, "workflows:manage", "email:send");
        Assert.Equal("completed", (string)(await Run(mailer, email))["status"]!);
        Assert.Equal("workflow", Assert.Single(await hub.OutboxAsync(address)).Kind);
    }

    [Fact]
    public async Task A_run_a_trigger_starts_acts_with_the_scopes_the_publisher_had()
    {
        var admin = await hub.NewAccountAsync();
        var manager = await KeyAsync(admin, "workflows:manage");

        // Published by the workflows:manage key: the admin's event starts it, but it may not email.
        var refusedTo = NewAddress("refused");
        var refusedEvent = "Refused-" + Guid.NewGuid().ToString("N")[..8];
        await Publish(manager, OnEventEmailTo(refusedEvent, refusedTo));
        var started = await (await admin.Http.PostJsonAsync("/v1/workflow-events", new { name = refusedEvent })).ExpectAsync(HttpStatusCode.Accepted);
        var refusedRun = await WaitForStatus(admin, (string)Assert.Single(started["run_ids"]!.AsArray())!, "faulted");
        AssertFaultedFor(refusedRun, "email", "email:send");
        Assert.Equal("event", (string)refusedRun["trigger"]!);
        Assert.Empty(await hub.OutboxAsync(refusedTo));

        // Published by the admin: the workflows:manage key's event starts it and it emails.
        var sentTo = NewAddress("sent");
        var sentEvent = "Sent-" + Guid.NewGuid().ToString("N")[..8];
        await Publish(admin, OnEventEmailTo(sentEvent, sentTo));
        var triggered = await (await manager.PostJsonAsync("/v1/workflow-events", new { name = sentEvent })).ExpectAsync(HttpStatusCode.Accepted);
        await WaitForStatus(admin, (string)Assert.Single(triggered["run_ids"]!.AsArray())!, "completed");
        Assert.Single(await hub.OutboxAsync(sentTo));
    }
}

public sealed class SqliteWorkflowScopeTests(SqliteHub hub) : WorkflowScopeTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresWorkflowScopeTests(PostgresHub hub) : WorkflowScopeTests(hub), IClassFixture<PostgresHub>;
