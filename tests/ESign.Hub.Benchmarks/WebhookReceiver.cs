using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using ESign.Hub.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ESign.Hub.Benchmarks;

/// <summary>One POST the receiver got. <see cref="Duplicate"/>: its webhook-id had arrived before.</summary>
public sealed record ReceivedWebhook(
    string WebhookId, string? Type, string? RequestId, DateTimeOffset? CreatedAt, DateTimeOffset ReceivedAt, bool SignatureValid, bool Duplicate);

/// <summary>
/// The customer's side of webhooks: a minimal Kestrel app on a free 127.0.0.1 port in this process, answering 204 to
/// POST /hooks and recording every delivery in arrival order. Every signature is verified with the hub's own
/// <see cref="StandardWebhooks.Verify"/> against the endpoint's secret.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<ReceivedWebhook> _received = new(capacity: 256 * 1024);
    private readonly HashSet<string> _seenIds = new(capacity: 256 * 1024, StringComparer.Ordinal);
    private volatile string? _secret;
    private long _handlerTicks;
    private int _invalidSignatures;
    private int _duplicates;

    public Uri Url { get; private set; } = null!;

    /// <summary>Deliveries so far, duplicates included.</summary>
    public int Count
    {
        get { lock (_gate) return _received.Count; }
    }

    public int InvalidSignatures => Volatile.Read(ref _invalidSignatures);
    public int Duplicates => Volatile.Read(ref _duplicates);

    /// <summary>Wall time spent inside the request handler (read body, verify, parse, record), all deliveries together.</summary>
    public TimeSpan HandlerTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _handlerTicks));

    private WebhookReceiver(WebApplication app) => _app = app;

    public static async Task<WebhookReceiver> StartAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        // Stdout carries only results; a failing handler shows up as missing events (the hub retries after 5 s).
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hooks", receiver.HandleAsync);
        await app.StartAsync(ct);
        receiver.Url = new Uri(new Uri(app.Urls.First()), "hooks");
        return receiver;
    }

    /// <summary>The endpoint's secret, known once the endpoint exists (nothing is delivered before).</summary>
    public void UseSecret(string secret) => _secret = secret;

    /// <summary>Deliveries from position <paramref name="from"/> on, in arrival order.</summary>
    public List<ReceivedWebhook> Since(int from)
    {
        lock (_gate) return from >= _received.Count ? [] : _received.GetRange(from, _received.Count - from);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var receivedAt = DateTimeOffset.UtcNow;
        var started = Stopwatch.GetTimestamp();
        string body;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
            body = await reader.ReadToEndAsync(context.RequestAborted);

        var headers = context.Request.Headers;
        var id = headers["webhook-id"].ToString();
        var secret = _secret;
        var valid = secret is not null && StandardWebhooks.Verify(
            secret, id, headers["webhook-timestamp"].ToString(), headers["webhook-signature"].ToString(), body, DateTimeOffset.UtcNow);
        var (type, createdAt, requestId) = ReadEvent(body);

        lock (_gate)
        {
            var duplicate = !_seenIds.Add(id);
            if (duplicate) _duplicates++;
            if (!valid) _invalidSignatures++;
            _received.Add(new ReceivedWebhook(id, type, requestId, createdAt, receivedAt, valid, duplicate));
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        Interlocked.Add(ref _handlerTicks, Stopwatch.GetTimestamp() - started);
    }

    /// <summary>type, created_at and data.signature_request.id of an event body; nulls for what is missing or malformed.</summary>
    private static (string? Type, DateTimeOffset? CreatedAt, string? RequestId) ReadEvent(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var type = root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            DateTimeOffset? createdAt = root.TryGetProperty("created_at", out var c) && c.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(c.GetString(), CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
                ? parsed
                : null;
            var requestId = root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                && data.TryGetProperty("signature_request", out var request) && request.ValueKind == JsonValueKind.Object
                && request.TryGetProperty("id", out var rid) && rid.ValueKind == JsonValueKind.String
                ? rid.GetString()
                : null;
            return (type, createdAt, requestId);
        }
        catch (JsonException)
        {
            return (null, null, null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await _app.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Connections still open after the timeout are dropped by the disposal below.
        }
        await _app.DisposeAsync();
    }
}
