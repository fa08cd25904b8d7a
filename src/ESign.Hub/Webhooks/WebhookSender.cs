using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;
using ESign.Hub.Accounts;
using ESign.Hub.Email;
using ESign.Hub.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Webhooks;

/// <summary>
/// Sends due deliveries: signed per Standard Webhooks, 10 s timeout, any 2xx is success, retries on the configured
/// schedule with jitter. Deliveries of one signature request go out one at a time in event order. Sends run
/// independently (up to <c>Hub:Webhooks:Concurrency</c> at once), so a slow endpoint holds only its own slots; results
/// are recorded in small batches. An endpoint that fails for longer than <c>Hub:Webhooks:DisableAfter</c> is disabled
/// and the account's admin is told.
/// </summary>
public sealed class WebhookSender : BackgroundService
{
    private readonly IServiceScopeFactory _scopes;
    private readonly IOptions<WebhookOptions> _options;
    private readonly IOptions<EmailOptions> _email;
    private readonly TimeProvider _clock;
    private readonly ILogger<WebhookSender> _logger;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly SemaphoreSlim _slots;
    private readonly Channel<(WebhookDelivery Delivery, WebhookAttempt Attempt)> _results =
        Channel.CreateUnbounded<(WebhookDelivery, WebhookAttempt)>(new UnboundedChannelOptions { SingleReader = true });
    // Test-mode endpoints may be on this machine (http://localhost); live ones may only be public addresses.
    private readonly HttpClient _live;
    private readonly HttpClient _test;

    public WebhookSender(IServiceScopeFactory scopes, IOptions<WebhookOptions> options, IOptions<EmailOptions> email, TimeProvider clock,
        ILogger<WebhookSender> logger)
    {
        (_scopes, _options, _email, _clock, _logger) = (scopes, options, email, clock, logger);
        _slots = new SemaphoreSlim(options.Value.Concurrency);
        _live = new HttpClient(OutboundUrlGuard.CreateHandler(allowLoopback: false)) { Timeout = Timeout.InfiniteTimeSpan };
        _test = new HttpClient(OutboundUrlGuard.CreateHandler(allowLoopback: true)) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public void Wake()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var recording = RecordResultsAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (_slots.CurrentCount > 0 && await StartDueAsync(stoppingToken) > 0) { }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                _logger.LogError(e, "Webhook delivery pass failed");
            }
            try
            {
                await _wake.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        _results.Writer.TryComplete();
        await recording;
    }

    /// <summary>
    /// Claims as many due deliveries as there are free send slots (the oldest undelivered event of each request only)
    /// and starts sending them. Returns how many it started.
    /// </summary>
    private async Task<int> StartDueAsync(CancellationToken ct)
    {
        var options = _options.Value;
        var free = _slots.CurrentCount;
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        var now = _clock.GetUtcNow().UtcDateTime;
        // The lease outlasts one send (timeout) plus the time to record it; a crashed process's claims lapse then.
        var claimedUntil = now.AddSeconds(options.TimeoutSeconds + 15);
        var claim = Guid.NewGuid().ToString("N");
        var deliveries = db.WebhookDeliveries.IgnoreQueryFilters();
        var enabled = db.WebhookEndpoints.IgnoreQueryFilters().Where(w => w.Enabled).Select(w => w.Id);
        var timeline = db.RequestEvents.IgnoreQueryFilters();
        // A delivery waits while an earlier event of the same request is undelivered to the endpoint, or not even dispatched yet.
        var due = deliveries
            .Where(d => d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= now && (d.ClaimedUntil == null || d.ClaimedUntil < now)
                && enabled.Contains(d.EndpointId)
                && !deliveries.Any(e => e.EndpointId == d.EndpointId && e.OrderingKey == d.OrderingKey && e.Status == WebhookDeliveryStatus.Pending
                    && (e.EventOccurredAt < d.EventOccurredAt || (e.EventOccurredAt == d.EventOccurredAt && string.Compare(e.EventId, d.EventId) < 0)))
                && !timeline.Any(t => t.SignatureRequestId == d.OrderingKey && t.DispatchedAt == null && t.OccurredAt < d.EventOccurredAt))
            .OrderBy(d => d.NextAttemptAt).Take(free).Select(d => d.Id);
        var claimed = await db.WriteAsync(() => deliveries.Where(d => due.Contains(d.Id))
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.ClaimedUntil, d => claimedUntil).SetProperty(d => d.ClaimToken, d => claim), ct));
        if (claimed == 0) return 0;

        var batch = await deliveries.AsNoTracking().Where(d => d.ClaimToken == claim).ToListAsync(ct);
        var endpointIds = batch.Select(d => d.EndpointId).Distinct().ToList();
        var endpoints = await db.WebhookEndpoints.IgnoreQueryFilters().AsNoTracking().Where(w => endpointIds.Contains(w.Id)).ToDictionaryAsync(w => w.Id, ct);
        var box = scope.ServiceProvider.GetRequiredService<SecretBox>();
        var secrets = endpoints.Values.ToDictionary(w => w.Id, w => ActiveSecrets(w, box, now));
        foreach (var delivery in batch)
        {
            await _slots.WaitAsync(ct);
            _ = Task.Run(async () =>
            {
                try
                {
                    var attempt = await SendAsync(endpoints[delivery.EndpointId], delivery, secrets[delivery.EndpointId], ct);
                    _results.Writer.TryWrite((delivery, attempt));
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    // Shutting down: the claim lapses and the delivery is sent again after the restart.
                }
                catch (Exception e)
                {
                    _logger.LogError(e, "Webhook delivery {DeliveryId} failed unexpectedly; it is retried when its claim lapses", delivery.Id);
                }
                finally
                {
                    _slots.Release();
                    Wake();
                }
            }, CancellationToken.None);
        }
        return batch.Count;
    }

    /// <summary>Records finished sends in batches: the attempt, the delivery's new state, the endpoint's failure streak.</summary>
    private async Task RecordResultsAsync(CancellationToken stoppingToken)
    {
        var batch = new List<(WebhookDelivery Delivery, WebhookAttempt Attempt)>();
        while (await _results.Reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            while (batch.Count < 500 && _results.Reader.TryRead(out var result)) batch.Add(result);
            try
            {
                await RecordAsync(batch);
            }
            catch (Exception e)
            {
                // The claims lapse and the deliveries are sent again: at least once, never lost.
                _logger.LogError(e, "Recording {Count} webhook attempts failed", batch.Count);
            }
            if (batch.Count > 0) Wake(); // the next events of these requests may now be due
        }
    }

    private async Task RecordAsync(List<(WebhookDelivery Delivery, WebhookAttempt Attempt)> results)
    {
        var options = _options.Value;
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        var ids = results.Select(r => r.Delivery.Id).ToList();
        var deliveries = await db.WebhookDeliveries.IgnoreQueryFilters().Where(d => ids.Contains(d.Id)).ToDictionaryAsync(d => d.Id);
        var endpointIds = results.Select(r => r.Delivery.EndpointId).Distinct().ToList();
        var endpoints = await db.WebhookEndpoints.IgnoreQueryFilters().Where(w => endpointIds.Contains(w.Id)).ToDictionaryAsync(w => w.Id);
        var schedule = options.Delays;
        var now = _clock.GetUtcNow().UtcDateTime;
        foreach (var (sent, attempt) in results.OrderBy(r => r.Attempt.AttemptedAt))
        {
            db.WebhookAttempts.Add(attempt);
            if (!deliveries.TryGetValue(sent.Id, out var delivery)) continue;
            delivery.Attempts++;
            delivery.ClaimedUntil = null;
            delivery.ClaimToken = null;
            endpoints.TryGetValue(delivery.EndpointId, out var endpoint);
            if (attempt.StatusCode is >= 200 and < 300)
            {
                delivery.Status = WebhookDeliveryStatus.Delivered;
                delivery.DeliveredAt = now;
                if (endpoint is not null) endpoint.FailingSince = null;
                continue;
            }
            if (endpoint is not null) endpoint.FailingSince ??= attempt.AttemptedAt;
            if (delivery.Attempts > schedule.Count) delivery.Status = WebhookDeliveryStatus.Failed;
            else delivery.NextAttemptAt = now + Jitter(schedule[delivery.Attempts - 1]);
        }
        await DisableLongFailingAsync(db, endpoints.Values, now, options, !_email.Value.UsesSmtp, CancellationToken.None);
        await db.SaveChangesAsync(CancellationToken.None);
    }

    private async Task<WebhookAttempt> SendAsync(WebhookEndpoint endpoint, WebhookDelivery delivery, IReadOnlyList<string> secrets, CancellationToken ct)
    {
        var started = _clock.GetUtcNow();
        var timestamp = started.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", delivery.EventId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", StandardWebhooks.SignatureHeader(secrets, delivery.EventId, timestamp, delivery.Payload));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("ESign.Hub-Webhooks", "1.0"));

        var stopwatch = Stopwatch.StartNew();
        int? status = null;
        string? body = null, error = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(_options.Value.TimeoutSeconds));
            using var response = await (endpoint.TestMode ? _test : _live).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = (int)response.StatusCode;
            body = await ReadSnippetAsync(response, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            error = $"No answer within {_options.Value.TimeoutSeconds} s.";
        }
        catch (HttpRequestException e)
        {
            error = e.Message;
        }
        return new WebhookAttempt
        {
            Id = Hosting.Ids.New("wha"),
            AccountId = delivery.AccountId,
            TestMode = delivery.TestMode,
            EndpointId = endpoint.Id,
            DeliveryId = delivery.Id,
            EventId = delivery.EventId,
            EventType = delivery.EventType,
            AttemptedAt = started.UtcDateTime,
            StatusCode = status,
            LatencyMs = Math.Round(stopwatch.Elapsed.TotalMilliseconds, 2),
            ResponseBody = body,
            Error = error,
        };
    }

    /// <summary>The first kilobyte of the answer is all the delivery log keeps.</summary>
    private static async Task<string> ReadSnippetAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[1024];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), ct)) > 0) read += n;
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    private static List<string> ActiveSecrets(WebhookEndpoint endpoint, SecretBox box, DateTime now)
    {
        var secrets = new List<string> { box.Unseal(endpoint.SecretSealed) };
        if (endpoint.PreviousSecretSealed is { } previous && endpoint.PreviousSecretExpiresAt > now) secrets.Add(box.Unseal(previous));
        return secrets;
    }

    /// <summary>Up to ±10 % around the scheduled delay, so endpoints that failed together do not retry together.</summary>
    private static TimeSpan Jitter(TimeSpan delay) => delay * (0.9 + Random.Shared.NextDouble() * 0.2);

    private static async Task DisableLongFailingAsync(HubDbContext db, IEnumerable<WebhookEndpoint> endpoints, DateTime now, WebhookOptions options,
        bool storedIsDelivered, CancellationToken ct)
    {
        foreach (var endpoint in endpoints.Where(w => w.Enabled && w.FailingSince is { } since && now - since >= options.DisableAfterSpan))
        {
            endpoint.Enabled = false;
            endpoint.DisabledAt = now;
            endpoint.DisabledReason = $"Every delivery failed since {endpoint.FailingSince:yyyy-MM-dd HH:mm} UTC.";
            var account = await db.Accounts.IgnoreQueryFilters().FirstAsync(a => a.Id == endpoint.AccountId, ct);
            if (account.AdminEmail is { } to)
                db.OutboundEmails.Add(EndpointDisabledEmail(account, endpoint, to, now, storedIsDelivered));
        }
    }

    private static OutboundEmail EndpointDisabledEmail(Account account, WebhookEndpoint endpoint, string to, DateTime now, bool storedIsDelivered)
    {
        var text = $"Every delivery to your webhook endpoint {endpoint.Url} ({endpoint.Id}) has failed since {endpoint.FailingSince:yyyy-MM-dd HH:mm} UTC, " +
                   "so ESign.Hub disabled it. Events keep being recorded; fix the receiver, then enable the endpoint again " +
                   "(PATCH /v1/webhook-endpoints/{id} with enabled: true) and replay what it missed (POST /v1/webhook-endpoints/{id}/replay).";
        return OutboundEmail.Create(account.Id, endpoint.TestMode, null, "webhook_disabled", to, to, "ESign.Hub", $"Webhook endpoint disabled: {endpoint.Url}",
            text, $"<p>{System.Net.WebUtility.HtmlEncode(text)}</p>", now, storedIsDelivered);
    }
}
