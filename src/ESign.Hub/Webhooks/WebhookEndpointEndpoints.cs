using ESign.Hub.Auth;
using ESign.Hub.Hosting;
using ESign.Hub.SignatureRequests;
using ESign.Hub.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Webhooks;

public sealed record CreateWebhookEndpointBody(string? Url, List<string>? Events, string? Description);

public sealed record UpdateWebhookEndpointBody(string? Url, List<string>? Events, bool? Enabled, string? Description);

public sealed record ReplayBody(DateTime? Since);

public sealed record WebhookEndpointResponse(
    string Id, string Url, IReadOnlyList<string> Events, string? Description, bool Enabled, bool TestMode, DateTime CreatedAt,
    DateTime? FailingSince, DateTime? DisabledAt, string? DisabledReason, DateTime? PreviousSecretExpiresAt,
    /// <summary>Only in the responses that create the endpoint or rotate its secret.</summary>
    string? Secret)
{
    public static WebhookEndpointResponse From(WebhookEndpoint w, string? secret = null) => new(w.Id, w.Url, w.Events, w.Description, w.Enabled,
        w.TestMode, w.CreatedAt, w.FailingSince, w.DisabledAt, w.DisabledReason, w.PreviousSecretExpiresAt, secret);
}

public sealed record WebhookAttemptResponse(
    string Id, string DeliveryId, string EventId, string EventType, DateTime AttemptedAt, int? StatusCode, double LatencyMs, string? ResponseBody, string? Error);

public sealed record QueuedDeliveriesResponse(int Queued);

public static class WebhookEndpointEndpoints
{
    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("/v1/webhook-endpoints").WithTags("Webhooks").RequireScope(Scopes.WebhooksManage).ProducesAuthProblems();
        hooks.MapPost("/", Create).WithName("CreateWebhookEndpoint").WithSummary("Subscribe a URL to events; the signing secret is shown once")
            .ProducesProblems(400, 422);
        hooks.MapGet("/", List).WithName("ListWebhookEndpoints");
        hooks.MapGet("/{id}", Get).WithName("GetWebhookEndpoint").ProducesProblems(404);
        hooks.MapPatch("/{id}", Update).WithName("UpdateWebhookEndpoint").WithSummary("Change url, events, description or enabled")
            .ProducesProblems(400, 404, 422);
        hooks.MapDelete("/{id}", Delete).WithName("DeleteWebhookEndpoint").ProducesProblems(404);
        hooks.MapPost("/{id}/rotate-secret", RotateSecret).WithName("RotateWebhookSecret")
            .WithSummary("A new signing secret; the old one keeps signing too for 24 hours").ProducesProblems(404);
        hooks.MapGet("/{id}/deliveries", Deliveries).WithName("ListWebhookDeliveries")
            .WithSummary("Every delivery attempt, newest first: event, time, status code, latency, first 1 KB of the answer").ProducesProblems(400, 404);
        hooks.MapPost("/{id}/replay", Replay).WithName("ReplayWebhookEvents")
            .WithSummary("Send again every event since a time, in order").ProducesProblems(404, 422);
        app.MapPost("/v1/events/{id}/redeliver", Redeliver).WithTags("Webhooks").WithName("RedeliverEvent")
            .WithSummary("Send one event again to every endpoint subscribed to it")
            .RequireScope(Scopes.WebhooksManage).ProducesAuthProblems().ProducesProblems(404, 409);
        return app;
    }

    private static async Task<Results<Created<WebhookEndpointResponse>, ProblemHttpResult>> Create(
        CreateWebhookEndpointBody body, TenantScope tenant, HubDbContext db, SecretBox box, TimeProvider clock, CancellationToken ct)
    {
        var caller = tenant.Caller!;
        var errors = new ValidationErrors();
        var url = CheckUrl(body.Url, caller.TestMode, errors);
        var events = CheckEvents(body.Events, errors);
        if (body.Description is { Length: > 500 }) errors.Add("description", "Use at most 500 characters.");
        if (errors.Any) return Problems.Invalid(errors);

        var secret = StandardWebhooks.NewSecret();
        var endpoint = WebhookEndpoint.Create(caller.AccountId, url!, events, body.Description, caller.TestMode, box.Seal(secret), clock.GetUtcNow().UtcDateTime);
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/v1/webhook-endpoints/{endpoint.Id}", WebhookEndpointResponse.From(endpoint, secret));
    }

    private static async Task<Ok<ListResponse<WebhookEndpointResponse>>> List(HubDbContext db, CancellationToken ct)
    {
        var endpoints = await db.WebhookEndpoints.AsNoTracking().OrderByDescending(w => w.Id).ToListAsync(ct);
        return TypedResults.Ok(new ListResponse<WebhookEndpointResponse>(endpoints.Select(w => WebhookEndpointResponse.From(w)).ToList(), false, null));
    }

    private static async Task<Results<Ok<WebhookEndpointResponse>, ProblemHttpResult>> Get(string id, HubDbContext db, CancellationToken ct) =>
        await db.WebhookEndpoints.AsNoTracking().FirstOrDefaultAsync(w => w.Id == id, ct) is { } endpoint
            ? TypedResults.Ok(WebhookEndpointResponse.From(endpoint))
            : Problems.NotFound("webhook endpoint", id);

    private static async Task<Results<Ok<WebhookEndpointResponse>, ProblemHttpResult>> Update(
        string id, UpdateWebhookEndpointBody body, HubDbContext db, WebhookSender sender, TimeProvider clock, CancellationToken ct)
    {
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(w => w.Id == id, ct);
        if (endpoint is null) return Problems.NotFound("webhook endpoint", id);
        var errors = new ValidationErrors();
        var url = body.Url is null ? null : CheckUrl(body.Url, endpoint.TestMode, errors);
        var events = body.Events is null ? null : CheckEvents(body.Events, errors);
        if (body.Description is { Length: > 500 }) errors.Add("description", "Use at most 500 characters.");
        if (errors.Any) return Problems.Invalid(errors);

        if (url is not null) endpoint.Url = url;
        if (events is not null) endpoint.Events = events;
        if (body.Description is not null) endpoint.Description = body.Description;
        if (body.Enabled is { } enabled && enabled != endpoint.Enabled)
        {
            endpoint.Enabled = enabled;
            endpoint.DisabledAt = enabled ? null : clock.GetUtcNow().UtcDateTime;
            endpoint.DisabledReason = enabled ? null : "Disabled through the API.";
            endpoint.FailingSince = null;
        }
        await db.SaveChangesAsync(ct);
        if (endpoint.Enabled) sender.Wake();
        return TypedResults.Ok(WebhookEndpointResponse.From(endpoint));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, HubDbContext db, CancellationToken ct)
    {
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(w => w.Id == id, ct);
        if (endpoint is null) return Problems.NotFound("webhook endpoint", id);
        db.WebhookEndpoints.Remove(endpoint);
        await db.SaveChangesAsync(ct);
        await db.WriteAsync(() => db.WebhookDeliveries.Where(d => d.EndpointId == id && d.Status == WebhookDeliveryStatus.Pending)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.Status, d => WebhookDeliveryStatus.Failed), ct));
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<WebhookEndpointResponse>, ProblemHttpResult>> RotateSecret(
        string id, HubDbContext db, SecretBox box, TimeProvider clock, CancellationToken ct)
    {
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(w => w.Id == id, ct);
        if (endpoint is null) return Problems.NotFound("webhook endpoint", id);
        var secret = StandardWebhooks.NewSecret();
        endpoint.PreviousSecretSealed = endpoint.SecretSealed;
        endpoint.PreviousSecretExpiresAt = clock.GetUtcNow().UtcDateTime.AddHours(24);
        endpoint.SecretSealed = box.Seal(secret);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(WebhookEndpointResponse.From(endpoint, secret));
    }

    private static async Task<Results<Ok<ListResponse<WebhookAttemptResponse>>, ProblemHttpResult>> Deliveries(
        string id, HttpRequest http, HubDbContext db, CancellationToken ct)
    {
        if (!await db.WebhookEndpoints.AnyAsync(w => w.Id == id, ct)) return Problems.NotFound("webhook endpoint", id);
        var limit = 50;
        if (http.Query["limit"].FirstOrDefault() is { } text && (!int.TryParse(text, out limit) || limit is < 1 or > 500))
            return Problems.BadRequest("limit must be a number from 1 to 500.");
        var attempts = db.WebhookAttempts.AsNoTracking().Where(a => a.EndpointId == id);
        if (http.Query["starting_after"].FirstOrDefault() is { } cursor) attempts = attempts.Where(a => string.Compare(a.Id, cursor) < 0);
        var page = await attempts.OrderByDescending(a => a.Id).Take(limit + 1).ToListAsync(ct);
        var hasMore = page.Count > limit;
        if (hasMore) page.RemoveAt(limit);
        return TypedResults.Ok(new ListResponse<WebhookAttemptResponse>(
            page.Select(a => new WebhookAttemptResponse(a.Id, a.DeliveryId, a.EventId, a.EventType, a.AttemptedAt, a.StatusCode, a.LatencyMs, a.ResponseBody, a.Error)).ToList(),
            hasMore, hasMore ? page[^1].Id : null));
    }

    private static async Task<Results<Ok<QueuedDeliveriesResponse>, ProblemHttpResult>> Replay(
        string id, ReplayBody body, HubDbContext db, WebhookDispatcher dispatcher, WebhookSender sender, TimeProvider clock, CancellationToken ct)
    {
        var endpoint = await db.WebhookEndpoints.AsNoTracking().FirstOrDefaultAsync(w => w.Id == id, ct);
        if (endpoint is null) return Problems.NotFound("webhook endpoint", id);
        if (body.Since is not { } since) return Problems.Unprocessable("Give 'since': the time from which to send every event again.");
        var sinceUtc = since.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(since, DateTimeKind.Utc) : since.ToUniversalTime();
        var entries = await db.RequestEvents.AsNoTracking().Where(e => e.OccurredAt >= sinceUtc)
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).Take(10_000).ToListAsync(ct);
        var queued = await QueueAsync(db, dispatcher, [endpoint], entries, clock.GetUtcNow().UtcDateTime, ct);
        sender.Wake();
        return TypedResults.Ok(new QueuedDeliveriesResponse(queued));
    }

    private static async Task<Results<Ok<QueuedDeliveriesResponse>, ProblemHttpResult>> Redeliver(
        string id, HubDbContext db, WebhookDispatcher dispatcher, WebhookSender sender, TimeProvider clock, CancellationToken ct)
    {
        var entry = await db.RequestEvents.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct);
        if (entry is null) return Problems.NotFound("event", id);
        if (WebhookEvents.TypeOf(entry.Type) is null) return Problems.Conflict($"Event '{id}' ({entry.Type}) is not delivered by webhooks.");
        var endpoints = await db.WebhookEndpoints.AsNoTracking().Where(w => w.Enabled).ToListAsync(ct);
        var queued = await QueueAsync(db, dispatcher, endpoints, [entry], clock.GetUtcNow().UtcDateTime, ct);
        sender.Wake();
        return TypedResults.Ok(new QueuedDeliveriesResponse(queued));
    }

    /// <summary>New deliveries (same event ids, so receivers can de-duplicate) of these entries to these endpoints.</summary>
    private static async Task<int> QueueAsync(HubDbContext db, WebhookDispatcher dispatcher, IReadOnlyList<WebhookEndpoint> endpoints,
        IReadOnlyList<RequestEvent> entries, DateTime now, CancellationToken ct)
    {
        var requestIds = entries.Select(e => e.SignatureRequestId).Distinct().ToList();
        var requests = await db.SignatureRequests.AsNoTracking().Include(r => r.Signers).Include(r => r.Fields).Include(r => r.Metadata)
            .AsSplitQuery().Where(r => requestIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, ct);
        var queued = 0;
        foreach (var entry in entries)
        {
            if (WebhookEvents.TypeOf(entry.Type) is not { } type || !requests.TryGetValue(entry.SignatureRequestId, out var request)) continue;
            var payload = dispatcher.Payload(entry, type, request);
            foreach (var endpoint in endpoints.Where(w => w.TestMode == request.TestMode && w.Wants(type)))
            {
                db.WebhookDeliveries.Add(WebhookDispatcher.NewDelivery(endpoint, entry, type, payload, now));
                queued++;
            }
        }
        await db.SaveChangesAsync(ct);
        return queued;
    }

    private static string? CheckUrl(string? url, bool testMode, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            errors.Add("url", "Give the https URL that receives the events.");
            return null;
        }
        if (OutboundUrlGuard.Validate(url.Trim(), testMode) is { } problem)
        {
            errors.Add("url", problem);
            return null;
        }
        return url.Trim();
    }

    private static List<string> CheckEvents(List<string>? events, ValidationErrors errors)
    {
        events ??= [];
        foreach (var unknown in events.Where(e => e != "*" && !WebhookEvents.Types.Contains(e)))
            errors.Add("events", $"Unknown event type '{unknown}'. Known: {string.Join(", ", WebhookEvents.Types)} (or [] / [\"*\"] for all).");
        return events.Contains("*") ? [] : events.Distinct().ToList();
    }
}
