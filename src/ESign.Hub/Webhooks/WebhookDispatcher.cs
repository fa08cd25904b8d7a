using System.Text.Json;
using ESign.Hub.SignatureRequests;
using ESign.Hub.Storage;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Webhooks;

/// <summary>
/// Turns new timeline entries (written in the same transaction as the change they record, so none is lost) into one
/// delivery per subscribed endpoint, with the payload fixed at that moment. Entries are claimed before they are read,
/// so with several hub processes each entry is dispatched once.
/// </summary>
public sealed class WebhookDispatcher : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0);
    private readonly IServiceScopeFactory scopes;
    private readonly WebhookSender sender;
    private readonly IOptions<JsonOptions> json;
    private readonly TimeProvider clock;
    private readonly ILogger<WebhookDispatcher> logger;

    public WebhookDispatcher(IServiceScopeFactory scopes, WebhookSender sender, IOptions<JsonOptions> json, TimeProvider clock,
        ILogger<WebhookDispatcher> logger, OutboxSignal outbox)
    {
        (this.scopes, this.sender, this.json, this.clock, this.logger) = (scopes, sender, json, clock, logger);
        outbox.TimelineWritten += Wake;
    }

    /// <summary>A commit added timeline entries: dispatch now rather than at the next poll.</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await DispatchAsync(stoppingToken) > 0) { }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Webhook dispatch pass failed");
            }
            try
            {
                await _wake.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
                // Under load every commit wakes us; gathering 25 ms of entries makes one transaction of many small ones,
                // which matters on SQLite, where this shares the single writer with the API.
                await Task.Delay(TimeSpan.FromMilliseconds(25), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Dispatches up to 500 entries; returns how many it handled.</summary>
    public async Task<int> DispatchAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        // A short lease: if this process dies mid-dispatch, another (or the restarted one) takes the entries over soon.
        var claimedUntil = now.AddSeconds(15);
        var claim = Guid.NewGuid().ToString("N");
        var waiting = db.RequestEvents.IgnoreQueryFilters()
            .Where(e => e.DispatchedAt == null && (e.DispatchClaimedUntil == null || e.DispatchClaimedUntil < now))
            .OrderBy(e => e.OccurredAt).Take(500).Select(e => e.Id);
        var claimed = await db.WriteAsync(() => db.RequestEvents.IgnoreQueryFilters().Where(e => waiting.Contains(e.Id))
            .ExecuteUpdateAsync(u => u.SetProperty(e => e.DispatchClaimedUntil, e => claimedUntil).SetProperty(e => e.DispatchClaim, e => claim), ct));
        if (claimed == 0) return 0;

        var events = await db.RequestEvents.IgnoreQueryFilters().Where(e => e.DispatchClaim == claim)
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).ToListAsync(ct);
        var accountIds = events.Select(e => e.AccountId).Distinct().ToList();
        var endpoints = await db.WebhookEndpoints.IgnoreQueryFilters().AsNoTracking()
            .Where(w => accountIds.Contains(w.AccountId) && w.Enabled).ToListAsync(ct);
        var wanted = events.Where(e => WebhookEvents.TypeOf(e.Type) is { } type && endpoints.Any(w => w.AccountId == e.AccountId && w.Wants(type))).ToList();
        var requestIds = wanted.Select(e => e.SignatureRequestId).Distinct().ToList();
        var requests = requestIds.Count == 0 ? [] : await db.SignatureRequests.IgnoreQueryFilters().AsNoTracking()
            .Include(r => r.Signers).Include(r => r.Fields).Include(r => r.Metadata).AsSplitQuery()
            .Where(r => requestIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, ct);

        var deliveries = 0;
        foreach (var entry in wanted)
        {
            if (!requests.TryGetValue(entry.SignatureRequestId, out var request)) continue;
            var type = WebhookEvents.TypeOf(entry.Type)!;
            var payload = Payload(entry, type, request);
            foreach (var endpoint in endpoints.Where(w => w.AccountId == entry.AccountId && w.TestMode == request.TestMode && w.Wants(type)))
            {
                db.WebhookDeliveries.Add(NewDelivery(endpoint, entry, type, payload, now));
                deliveries++;
            }
        }
        foreach (var entry in events) entry.DispatchedAt = now;
        await db.SaveChangesAsync(ct);
        if (deliveries > 0) sender.Wake();
        return events.Count;
    }

    /// <summary>The event body: <c>{ id, type, created_at, data: { signature_request, signer } }</c>, shaped like the API.</summary>
    public string Payload(RequestEvent entry, string type, SignatureRequest request)
    {
        var response = SignatureRequestResponse.From(request, withEvents: false);
        var signer = entry.SignerId is null ? null : response.Signers.FirstOrDefault(s => s.Id == entry.SignerId);
        return JsonSerializer.Serialize(new WebhookEventBody(entry.Id, type, entry.OccurredAt, new WebhookEventData(response, signer)),
            json.Value.SerializerOptions);
    }

    public static WebhookDelivery NewDelivery(WebhookEndpoint endpoint, RequestEvent entry, string type, string payload, DateTime now) => new()
    {
        Id = Hosting.Ids.New("whd"),
        AccountId = endpoint.AccountId,
        TestMode = endpoint.TestMode,
        EndpointId = endpoint.Id,
        EventId = entry.Id,
        EventType = type,
        EventOccurredAt = entry.OccurredAt,
        OrderingKey = entry.SignatureRequestId,
        Payload = payload,
        Status = WebhookDeliveryStatus.Pending,
        CreatedAt = now,
        NextAttemptAt = now,
    };
}

public sealed record WebhookEventBody(string Id, string Type, DateTime CreatedAt, WebhookEventData Data);

public sealed record WebhookEventData(SignatureRequestResponse SignatureRequest, SignerResponse? Signer);
