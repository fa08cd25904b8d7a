using System.Net;
using ESign.Hub.Tests.Infrastructure;

namespace ESign.Hub.Tests.Webhooks;

/// <summary>The hub process is killed (SIGKILL) while deliveries are in flight; after a restart every event arrives.</summary>
public sealed class WebhookCrashTests : IAsyncLifetime
{
    private readonly WebhookReceiver _receiver = new();
    private readonly string _data = Directory.CreateTempSubdirectory("esign-hub-crash-").FullName;
    private const string Key = "esk_test_crash_test_key_0123456789";
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Hub:Webhooks:RetrySchedule"] = "200ms,300ms,500ms,1s,1s,1s,1s,1s,1s,1s",
        ["Hub:Webhooks:TimeoutSeconds"] = "20",
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Events_in_flight_when_the_hub_is_killed_are_delivered_after_restart()
    {
        var requests = new List<string>();
        await using (var hub = await KillableHub.StartAsync(_data, Key, Settings))
        {
            var endpoint = await (await hub.Http.PostJsonAsync("/v1/webhook-endpoints", new { url = _receiver.Url })).ExpectAsync(HttpStatusCode.Created);
            _receiver.Secrets.Add((string)endpoint["secret"]!);
            _receiver.Hanging = true;
            var documentId = await hub.Http.UploadPdfAsync();
            for (var i = 0; i < 4; i++)
            {
                var request = await hub.Http.CreateSignatureRequestAsync(HttpExtensions.SignatureRequestBody(documentId, "parallel"));
                requests.Add((string)request["id"]!);
                await (await hub.Http.DeleteAsync($"/v1/signature-requests/{request["id"]}")).ExpectAsync(HttpStatusCode.OK);
            }
            // Wait until the hub is in the middle of sending, then kill it.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (_receiver.HangingNow < 4 && DateTime.UtcNow < deadline) await Task.Delay(50);
            if (_receiver.HangingNow < 4)
            {
                var log = await (await hub.Http.GetAsync($"/v1/webhook-endpoints/{endpoint["id"]}/deliveries")).Content.ReadAsStringAsync();
                Assert.Fail($"The hub never got to send ({_receiver.HangingNow} hanging): {log}");
            }
            hub.Kill();
        }

        _receiver.Hanging = false;
        await using var restarted = await KillableHub.StartAsync(_data, Key, Settings);
        var received = await _receiver.WaitAsync(r => requests.All(id => r.Count(x => x.RequestId == id) >= 2), seconds: 60);
        foreach (var id in requests)
        {
            // At least once: de-duplicated by webhook-id, each request's events arrive complete and in order.
            var events = received.Where(x => x.RequestId == id).DistinctBy(x => x.Id).Select(x => x.Type).ToList();
            Assert.Equal(["signature_request.sent", "signature_request.canceled"], events);
        }
        Assert.All(received, r => Assert.True(r.Valid));
    }
}
