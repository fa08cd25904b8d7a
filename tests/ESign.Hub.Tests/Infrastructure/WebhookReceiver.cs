using System.Collections.Concurrent;
using System.Net;
using System.Text;
using ESign.Hub.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ESign.Hub.Tests.Infrastructure;

/// <summary>
/// A customer's webhook receiver on a real loopback port: it verifies every delivery with the Standard Webhooks
/// verifier and the secrets it was given, and can be switched to answer 503 as if it were down.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();

    public WebhookReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/hooks", async (HttpContext http) =>
        {
            if (Down) return Results.StatusCode(503);
            if (Hanging)
            {
                Interlocked.Increment(ref _hanging);
                // Like a receiver that accepted the connection and never answers: the hub is mid-delivery.
                await Task.Delay(TimeSpan.FromSeconds(30), http.RequestAborted).ContinueWith(_ => { });
                Interlocked.Decrement(ref _hanging);
                return Results.StatusCode(504);
            }
            var body = await new StreamReader(http.Request.Body, Encoding.UTF8).ReadToEndAsync();
            var id = http.Request.Headers["webhook-id"].ToString();
            var timestamp = http.Request.Headers["webhook-timestamp"].ToString();
            var signature = http.Request.Headers["webhook-signature"].ToString();
            var valid = Secrets.Any(s => StandardWebhooks.Verify(s, id, timestamp, signature, body, DateTimeOffset.UtcNow));
            _received.Enqueue(new ReceivedWebhook(id, timestamp, signature, body, valid, DateTimeOffset.UtcNow));
            return valid ? Results.Text("thanks") : Results.StatusCode(401);
        });
        _app.StartAsync().GetAwaiter().GetResult();
    }

    public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hooks";

    /// <summary>Secrets a delivery may be signed with (a receiver knows its endpoint's secret).</summary>
    public List<string> Secrets { get; } = [];

    /// <summary>While true, every delivery gets 503 and counts as not received.</summary>
    public bool Down { get; set; }

    /// <summary>While true, deliveries hang without an answer (and count as not received).</summary>
    public bool Hanging { get; set; }

    /// <summary>How many deliveries are hanging right now.</summary>
    public int HangingNow => _hanging;

    private int _hanging;

    public IReadOnlyList<ReceivedWebhook> Received => _received.ToList();

    /// <summary>Waits until <paramref name="condition"/> holds for what arrived, or fails after <paramref name="seconds"/>.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitAsync(Func<IReadOnlyList<ReceivedWebhook>, bool> condition, int seconds = 20)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < until)
        {
            var now = Received;
            if (condition(now)) return now;
            await Task.Delay(50);
        }
        throw new TimeoutException($"Webhook condition not met in {seconds} s; received: {string.Join(", ", Received.Select(r => r.Type))}");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

public sealed record ReceivedWebhook(string Id, string Timestamp, string Signature, string Body, bool Valid, DateTimeOffset At)
{
    public System.Text.Json.Nodes.JsonNode Json => System.Text.Json.Nodes.JsonNode.Parse(Body)!;
    public string Type => (string)Json["type"]!;
    public string RequestId => (string)Json["data"]!["signature_request"]!["id"]!;
}
