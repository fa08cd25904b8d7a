using System.Net;
using System.Text.Json.Nodes;
using ESign.Hub.Tests.Infrastructure;

namespace ESign.Hub.Tests.Webhooks;

/// <summary>Events reach a real receiver on loopback, signed, in order, once, through failures and restarts.</summary>
public abstract class WebhookDeliveryTests(Database database) : IAsyncLifetime
{
    private readonly WebhookReceiver _receiver = new();
    private WebhookHub _hub = null!; // owns the database; a restarted hub shares it

    public async Task InitializeAsync()
    {
        _hub = new WebhookHub(database, "2h");
        await ((IAsyncLifetime)_hub).InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)_hub).DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private async Task<(HubClient Account, JsonNode Endpoint)> SubscribeAsync(HubFactory hub, object? events = null)
    {
        var account = await hub.NewAccountAsync();
        var endpoint = await (await account.Http.PostJsonAsync("/v1/webhook-endpoints",
            new { url = _receiver.Url, events = events ?? Array.Empty<string>(), description = "CRM" })).ExpectAsync(HttpStatusCode.Created);
        _receiver.Secrets.Add((string)endpoint["secret"]!);
        return (account, endpoint);
    }

    private static async Task<JsonNode> SendAsync(HubClient account) =>
        await account.Http.CreateSignatureRequestAsync(HttpExtensions.SignatureRequestBody(await account.Http.UploadPdfAsync(), "parallel"));

    [Fact]
    public async Task A_new_request_is_delivered_signed_with_the_standard_webhooks_headers()
    {
        var (account, endpoint) = await SubscribeAsync(_hub);
        Assert.StartsWith("whsec_", (string)endpoint["secret"]!);
        var listed = await (await account.Http.GetAsync($"/v1/webhook-endpoints/{endpoint["id"]}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Null(listed["secret"]);

        var request = await SendAsync(account);
        var received = (await _receiver.WaitAsync(r => r.Any(x => x.RequestId == (string)request["id"]!))).Single(x => x.RequestId == (string)request["id"]!);

        Assert.True(received.Valid);
        Assert.Equal("signature_request.sent", received.Type);
        Assert.Equal(received.Id, (string)received.Json["id"]!);
        Assert.StartsWith("evt_", received.Id);
        Assert.Matches(@"^v1,[A-Za-z0-9+/=]+$", received.Signature);
        Assert.Equal("pending", (string)received.Json["data"]!["signature_request"]!["status"]!);
        Assert.NotNull(received.Json["created_at"]);

        var log = await (await account.Http.GetAsync($"/v1/webhook-endpoints/{endpoint["id"]}/deliveries")).ExpectAsync(HttpStatusCode.OK);
        var attempt = log["data"]!.AsArray().First()!;
        Assert.Equal(200, (int)attempt["status_code"]!);
        Assert.Equal("thanks", (string)attempt["response_body"]!);
        Assert.Equal(received.Id, (string)attempt["event_id"]!);
        Assert.True((double)attempt["latency_ms"]! > 0);
    }

    [Fact]
    public async Task A_whole_signing_arrives_in_order_with_the_signer_on_per_signer_events()
    {
        var (account, _) = await SubscribeAsync(_hub);
        var request = await SendAsync(account);
        var id = (string)request["id"]!;
        foreach (var signer in request["signers"]!.AsArray())
            await SigningClient.FromUrl(_hub, (string)signer!["signing_url"]!).ConsentAndSignAsync();

        var all = await _receiver.WaitAsync(r => r.Any(x => x.RequestId == id && x.Type == "signature_request.completed"));
        var mine = all.Where(x => x.RequestId == id).ToList();
        Assert.Equal(
            ["signature_request.sent", "signature_request.viewed", "signature_request.signed", "signature_request.viewed", "signature_request.signed", "signature_request.completed"],
            mine.Select(x => x.Type));
        var signed = mine.First(x => x.Type == "signature_request.signed");
        Assert.Equal((string)request["signers"]![0]!["id"]!, (string)signed.Json["data"]!["signer"]!["id"]!);
        Assert.NotNull(mine.Last().Json["data"]!["signature_request"]!["signed_document_id"]);
    }

    [Fact]
    public async Task Receiver_down_then_back_gets_every_event_exactly_once_in_order()
    {
        var (account, endpoint) = await SubscribeAsync(_hub);
        _receiver.Down = true;
        var requests = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var request = await SendAsync(account);
            requests.Add((string)request["id"]!);
            await (await account.Http.DeleteAsync($"/v1/signature-requests/{request["id"]}")).ExpectAsync(HttpStatusCode.OK);
        }
        await Task.Delay(1500); // several failed attempts
        var failures = await (await account.Http.GetAsync($"/v1/webhook-endpoints/{endpoint["id"]}/deliveries")).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(failures["data"]!.AsArray(), a => (int?)a!["status_code"] == 503);

        _receiver.Down = false;
        var received = await _receiver.WaitAsync(r => requests.All(id => r.Count(x => x.RequestId == id) >= 2));
        foreach (var id in requests)
        {
            var forRequest = received.Where(x => x.RequestId == id).ToList();
            Assert.Equal(["signature_request.sent", "signature_request.canceled"], forRequest.Select(x => x.Type));
            Assert.Equal(forRequest.Count, forRequest.Select(x => x.Id).Distinct().Count());
        }
    }

    [Fact]
    public async Task Nothing_is_lost_when_the_hub_stops_before_delivering()
    {
        var (account, _) = await SubscribeAsync(_hub);
        _receiver.Down = true;
        var request = await SendAsync(account);
        await (await account.Http.DeleteAsync($"/v1/signature-requests/{request["id"]}")).ExpectAsync(HttpStatusCode.OK);
        await _hub.DisposeAsync(); // the hub stops with both events undelivered; its database stays

        _receiver.Down = false;
        await using var restarted = new WebhookHub(_hub);
        await ((IAsyncLifetime)restarted).InitializeAsync();
        var received = await _receiver.WaitAsync(r => r.Count(x => x.RequestId == (string)request["id"]!) >= 2, seconds: 40);
        Assert.Equal(["signature_request.sent", "signature_request.canceled"], received.Where(x => x.RequestId == (string)request["id"]!).Select(x => x.Type));
    }

    [Fact]
    public async Task Endpoints_receive_only_the_events_they_subscribed_to()
    {
        var (account, _) = await SubscribeAsync(_hub, new[] { "signature_request.canceled" });
        var request = await SendAsync(account);
        await (await account.Http.DeleteAsync($"/v1/signature-requests/{request["id"]}")).ExpectAsync(HttpStatusCode.OK);
        var received = await _receiver.WaitAsync(r => r.Any(x => x.RequestId == (string)request["id"]!));
        await Task.Delay(500);
        Assert.Equal(["signature_request.canceled"], _receiver.Received.Where(x => x.RequestId == (string)request["id"]!).Select(x => x.Type));
    }

    [Fact]
    public async Task Rotated_secret_signs_alongside_the_old_one_and_redeliver_and_replay_resend_with_the_same_id()
    {
        var (account, endpoint) = await SubscribeAsync(_hub);
        var oldSecret = (string)endpoint["secret"]!;
        var rotated = await (await account.Http.PostJsonAsync($"/v1/webhook-endpoints/{endpoint["id"]}/rotate-secret", new { })).ExpectAsync(HttpStatusCode.OK);
        var newSecret = (string)rotated["secret"]!;
        Assert.NotEqual(oldSecret, newSecret);
        Assert.NotNull(rotated["previous_secret_expires_at"]);

        var request = await SendAsync(account);
        var first = (await _receiver.WaitAsync(r => r.Any(x => x.RequestId == (string)request["id"]!))).First(x => x.RequestId == (string)request["id"]!);
        Assert.Equal(2, first.Signature.Split(' ').Length);
        Assert.True(ESign.Hub.Webhooks.StandardWebhooks.Verify(oldSecret, first.Id, first.Timestamp, first.Signature, first.Body, DateTimeOffset.UtcNow));
        Assert.True(ESign.Hub.Webhooks.StandardWebhooks.Verify(newSecret, first.Id, first.Timestamp, first.Signature, first.Body, DateTimeOffset.UtcNow));

        var queued = await (await account.Http.PostJsonAsync($"/v1/events/{first.Id}/redeliver", new { })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, (int)queued["queued"]!);
        await _receiver.WaitAsync(r => r.Count(x => x.Id == first.Id) == 2);

        var replayed = await (await account.Http.PostJsonAsync($"/v1/webhook-endpoints/{endpoint["id"]}/replay",
            new { since = DateTime.UtcNow.AddMinutes(-5) })).ExpectAsync(HttpStatusCode.OK);
        Assert.True((int)replayed["queued"]! >= 1);
        await _receiver.WaitAsync(r => r.Count(x => x.Id == first.Id) == 3);

        var stranger = await _hub.NewAccountAsync();
        await (await stranger.Http.PostJsonAsync($"/v1/events/{first.Id}/redeliver", new { })).ExpectProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.Http.GetAsync($"/v1/webhook-endpoints/{endpoint["id"]}")).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Endpoint_urls_are_checked_against_ssrf_and_live_mode_needs_https()
    {
        var test = await _hub.NewAccountAsync(testMode: true);
        var live = await _hub.NewAccountAsync(testMode: false);
        foreach (var url in new[] { "http://169.254.169.254/latest/meta-data/", "https://10.1.2.3/hook", "ftp://example.com/x", "not a url" })
            await (await test.Http.PostJsonAsync("/v1/webhook-endpoints", new { url })).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        foreach (var url in new[] { _receiver.Url, "http://example.com/hook", "https://localhost/hook", "https://192.168.0.10/hook" })
            await (await live.Http.PostJsonAsync("/v1/webhook-endpoints", new { url })).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await live.Http.PostJsonAsync("/v1/webhook-endpoints", new { url = "https://hooks.example.com/esign" })).ExpectAsync(HttpStatusCode.Created);
        await (await test.Http.PostJsonAsync("/v1/webhook-endpoints", new { url = _receiver.Url, events = new[] { "document.burned" } }))
            .ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
    }
}

public sealed class SqliteWebhookDeliveryTests() : WebhookDeliveryTests(Database.Sqlite);

public sealed class PostgresWebhookDeliveryTests() : WebhookDeliveryTests(Database.Postgres);

/// <summary>A hub whose webhook retries come in under a second, so tests see several within their timeouts.</summary>
public sealed class WebhookHub : HubFactory
{
    private readonly string _disableAfter;

    public WebhookHub(Database database, string disableAfter) : base(database) => _disableAfter = disableAfter;

    public WebhookHub(WebhookHub sameStoreAs) : base(sameStoreAs) => _disableAfter = sameStoreAs._disableAfter;

    protected override Dictionary<string, string?> Settings => new()
    {
        ["Hub:Webhooks:RetrySchedule"] = "200ms,300ms,500ms,500ms,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s",
        ["Hub:Webhooks:DisableAfter"] = _disableAfter,
    };
}

public sealed class WebhookDisableTests : IAsyncLifetime
{
    private readonly WebhookReceiver _receiver = new();
    private readonly WebhookHub _hub = new(Database.Sqlite, "1500ms");

    public async Task InitializeAsync() => await ((IAsyncLifetime)_hub).InitializeAsync();

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)_hub).DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task An_endpoint_failing_past_the_limit_is_disabled_and_the_admin_is_told()
    {
        var account = await _hub.NewAccountAsync();
        var admin = $"admin.{Guid.NewGuid():N}@example.com";
        await (await account.Http.PatchAsync("/v1/account", JsonContent(new { admin_email = admin }))).ExpectAsync(HttpStatusCode.OK);
        var endpoint = await (await account.Http.PostJsonAsync("/v1/webhook-endpoints", new { url = _receiver.Url })).ExpectAsync(HttpStatusCode.Created);
        _receiver.Down = true;
        await account.Http.CreateSignatureRequestAsync(HttpExtensions.SignatureRequestBody(await account.Http.UploadPdfAsync()));

        var deadline = DateTime.UtcNow.AddSeconds(20);
        JsonNode state;
        do
        {
            await Task.Delay(200);
            state = await (await account.Http.GetAsync($"/v1/webhook-endpoints/{endpoint["id"]}")).ExpectAsync(HttpStatusCode.OK);
        } while ((bool)state["enabled"]! && DateTime.UtcNow < deadline);

        Assert.False((bool)state["enabled"]!);
        Assert.NotNull(state["disabled_reason"]);
        var notice = Assert.Single(await _hub.OutboxAsync(admin));
        Assert.Equal("webhook_disabled", notice.Kind);
        Assert.Contains((string)endpoint["url"]!, notice.TextBody);
    }

    private static StringContent JsonContent(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}
