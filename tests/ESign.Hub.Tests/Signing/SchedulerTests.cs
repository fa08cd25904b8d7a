using System.Net;
using System.Text.Json.Nodes;
using ESign.Hub.Signing;
using ESign.Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ESign.Hub.Tests.Signing;

/// <summary>Reminders, escalation and expiry on a clock the test moves; state survives a restart.</summary>
public abstract class SchedulerTests(Database database)
{
    private static string Unique(string local) => $"{local}.{Guid.NewGuid():N}@example.com";

    private static async Task<(HubClient Account, JsonNode Request)> SendAsync(HubFactory hub, object? reminders, int? expiresInDays, string? escalation)
    {
        var account = await hub.NewAccountAsync();
        var body = HttpExtensions.SignatureRequestBody(await account.Http.UploadPdfAsync(), "parallel");
        body["signers"] = new object[] { new { name = "Ann Lee", email = Unique("ann") }, new { name = "Bo Chan", email = Unique("bo") } };
        if (reminders is not null) body["reminders"] = reminders;
        if (expiresInDays is not null) body["expires_in_days"] = expiresInDays;
        if (escalation is not null) body["escalation_email"] = escalation;
        return (account, await account.Http.CreateSignatureRequestAsync(body));
    }

    private static Task<int> RunSchedulerAsync(HubFactory hub) => hub.Services.GetRequiredService<SigningScheduler>().RunDueAsync(CancellationToken.None);

    private static string Email(JsonNode request, int signer) => (string)request["signers"]![signer]!["email"]!;

    [Fact]
    public async Task Reminders_go_out_on_schedule_once_each_then_escalate_once()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var hub = new HubFactory(database) { Clock = clock };
        await ((IAsyncLifetime)hub).InitializeAsync();
        var escalation = Unique("manager");
        var (account, request) = await SendAsync(hub, new { after_days = 2, every_days = 1, max = 2 }, null, escalation);

        // Bo signs; only Ann is reminded.
        await SigningClient.FromUrl(hub, (string)request["signers"]![1]!["signing_url"]!).ConsentAndSignAsync();

        clock.Advance(TimeSpan.FromDays(1));
        await RunSchedulerAsync(hub);
        Assert.Equal(["invitation"], (await hub.OutboxAsync(Email(request, 0))).Select(e => e.Kind));

        clock.Advance(TimeSpan.FromDays(1));
        await RunSchedulerAsync(hub);
        await RunSchedulerAsync(hub); // the same moment again: nothing is due twice
        Assert.Equal(["invitation", "reminder"], (await hub.OutboxAsync(Email(request, 0))).Select(e => e.Kind));

        clock.Advance(TimeSpan.FromDays(1));
        await RunSchedulerAsync(hub);
        Assert.Equal(["invitation", "reminder", "reminder"], (await hub.OutboxAsync(Email(request, 0))).Select(e => e.Kind));
        Assert.Empty(await hub.OutboxAsync(escalation));

        clock.Advance(TimeSpan.FromDays(1));
        await RunSchedulerAsync(hub);
        clock.Advance(TimeSpan.FromDays(5));
        await RunSchedulerAsync(hub);
        var escalated = Assert.Single(await hub.OutboxAsync(escalation));
        Assert.Equal("escalation", escalated.Kind);
        Assert.Contains("Ann Lee", escalated.TextBody);
        Assert.Equal(2, (await hub.OutboxAsync(Email(request, 0))).Count(e => e.Kind == "reminder"));
        Assert.DoesNotContain(await hub.OutboxAsync(Email(request, 1)), e => e.Kind == "reminder");

        var events = (await (await account.Http.GetAsync($"/v1/signature-requests/{request["id"]}")).ExpectAsync(HttpStatusCode.OK))["events"]!.AsArray();
        Assert.Equal(2, events.Count(e => (string)e!["type"]! == "reminded"));
    }

    [Fact]
    public async Task Requests_expire_at_their_deadline_and_their_links_close()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var hub = new HubFactory(database) { Clock = clock };
        await ((IAsyncLifetime)hub).InitializeAsync();
        var (account, request) = await SendAsync(hub, null, expiresInDays: 3, null);
        var ann = SigningClient.FromUrl(hub, (string)request["signers"]![0]!["signing_url"]!);

        clock.Advance(TimeSpan.FromDays(2));
        await RunSchedulerAsync(hub);
        Assert.Equal("ready", (string)(await ann.ReadyStateAsync())["status"]!);

        clock.Advance(TimeSpan.FromDays(1.1));
        await RunSchedulerAsync(hub);
        var fetched = await (await account.Http.GetAsync($"/v1/signature-requests/{request["id"]}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("expired", (string)fetched["status"]!);
        Assert.Equal("expired", (string)fetched["events"]!.AsArray().Last()!["type"]!);
        var gone = await (await ann.StateAsync()).ExpectProblemAsync(HttpStatusCode.Gone);
        Assert.Equal("expired", (string)gone["reason"]!);
    }

    [Fact]
    public async Task A_reminder_that_came_due_while_the_hub_was_down_goes_out_once_after_restart()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        JsonNode request;
        var first = new HubFactory(database) { Clock = clock };
        await ((IAsyncLifetime)first).InitializeAsync();
        try
        {
            (_, request) = await SendAsync(first, new { after_days = 1, every_days = 3, max = 3 }, null, null);
            await first.DisposeAsync(); // the hub stops

            clock.Advance(TimeSpan.FromDays(1.5));
            await using var restarted = new RestartedHub(first);
            await ((IAsyncLifetime)restarted).InitializeAsync();
            await RunSchedulerAsync(restarted);
            await RunSchedulerAsync(restarted);
            Assert.Equal(["invitation", "reminder"], (await restarted.OutboxAsync(Email(request, 0))).Select(e => e.Kind));
        }
        finally
        {
            await ((IAsyncLifetime)first).DisposeAsync();
        }
    }
}

public sealed class RestartedHub(HubFactory first) : HubFactory(first);

public sealed class SqliteSchedulerTests() : SchedulerTests(Database.Sqlite);

public sealed class PostgresSchedulerTests() : SchedulerTests(Database.Postgres);
