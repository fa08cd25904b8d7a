using System.Net;
using System.Text.Json.Nodes;
using ESign.Hub.Tests.Infrastructure;
using static ESign.Hub.Tests.Workflows.ElsaSamples;
using static ESign.Hub.Tests.Workflows.RunWorkflows;
using static ESign.Hub.Tests.Workflows.WorkflowRunTests;

namespace ESign.Hub.Tests.Workflows;

/// <summary>Elsa.SendEmail goes through the hub's email outbox, with Hub.Email.Send's limits and its email:send scope.</summary>
public abstract class ElsaSendEmailTests(HubFactory hub)
{
    private static string SendTo(string to, string cc, string from) => Flowchart(
        $"{Activity("start", "Elsa.Start")}, " +
        $"{Activity("mail", "Elsa.SendEmail", $"{Literal("from", from)}, {Js("to", $"['{to}']")}, {Literal("cc", cc)}, " +
            $"{Literal("subject", "Please review")}, {Js("body", "'Document ' + getInput('doc')")}")}",
        Link("start", "Done", "mail"));

    [Fact]
    public async Task SendEmail_queues_one_message_per_recipient_from_the_hubs_address_with_the_senders_name()
    {
        var account = await hub.NewAccountAsync();
        var (to, cc) = (NewAddress("to"), NewAddress("cc"));
        var id = await Publish(account, SendTo(to, cc, "Approvals <approvals@elsa.test>"));

        var run = await Run(account, id, """{ "doc": "D-1" }""");

        Assert.Equal("completed", (string)run["status"]!);
        var sent = await hub.OutboxAsync(to, cc);
        Assert.Equal(new[] { to, cc }.Order(StringComparer.Ordinal), sent.Select(e => e.ToAddress).Order(StringComparer.Ordinal));
        Assert.All(sent, e => Assert.Equal(("Please review", "Document D-1", "Approvals", "workflow"), (e.Subject, e.TextBody, e.FromName, e.Kind)));
        Assert.Equal(new JsonArray(to, cc).ToJsonString(), run["journal"]![1]!["outputs"]!["recipients"]!.ToJsonString());
    }

    [Fact]
    public async Task SendEmail_needs_email_send_and_refuses_what_is_not_an_address()
    {
        var admin = await hub.NewAccountAsync();
        var created = await (await admin.Http.PostJsonAsync("/v1/api-keys", new { name = "Manager", scopes = new[] { "workflows:manage" } }))
            .ExpectAsync(HttpStatusCode.Created);
        var manager = hub.WithToken((string)created["key"]!);
        var to = NewAddress("scoped");
        var id = await Publish(manager, SendTo(to, to, "x"));

        var refused = await Run(manager, id, """{ "doc": "D-2" }""");

        Assert.Equal("faulted", (string)refused["status"]!);
        Assert.Contains("needs the scope 'email:send'", (string)refused["incident"]!["message"]!);
        Assert.Empty(await hub.OutboxAsync(to));

        var bad = await Publish(admin, SendTo("not-an-address", to, "x"));
        var faulted = await Run(admin, bad, """{ "doc": "D-3" }""");
        Assert.Contains("'not-an-address' is not an email address", (string)faulted["incident"]!["message"]!);
        Assert.Empty(await hub.OutboxAsync(to));
    }
}

public sealed class SqliteElsaSendEmailTests(SqliteHub hub) : ElsaSendEmailTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresElsaSendEmailTests(PostgresHub hub) : ElsaSendEmailTests(hub), IClassFixture<PostgresHub>;
