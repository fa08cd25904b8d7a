using ESign.Hub.Hosting;

namespace ESign.Hub.Webhooks;

/// <summary>A customer URL that receives signed event notifications. The signing secret is stored encrypted.</summary>
public sealed class WebhookEndpoint : Storage.ITenantOwned
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required string Url { get; set; }
    /// <summary>Event types delivered here; empty means every type.</summary>
    public required List<string> Events { get; set; }
    public string? Description { get; set; }
    public bool Enabled { get; set; } = true;
    public required bool TestMode { get; init; }
    public required string SecretSealed { get; set; }
    /// <summary>The secret before the last rotation; it keeps signing until <see cref="PreviousSecretExpiresAt"/>.</summary>
    public string? PreviousSecretSealed { get; set; }
    public DateTime? PreviousSecretExpiresAt { get; set; }
    public DateTime CreatedAt { get; init; }
    /// <summary>First failed attempt of the current failure streak; cleared by any success.</summary>
    public DateTime? FailingSince { get; set; }
    public DateTime? DisabledAt { get; set; }
    public string? DisabledReason { get; set; }

    public bool Wants(string eventType) => Events.Count == 0 || Events.Contains(eventType);

    public static WebhookEndpoint Create(string accountId, string url, List<string> events, string? description, bool testMode, string secretSealed, DateTime now) => new()
    {
        Id = Ids.New("we"),
        AccountId = accountId,
        Url = url,
        Events = events,
        Description = description,
        TestMode = testMode,
        SecretSealed = secretSealed,
        CreatedAt = now,
    };
}

public enum WebhookDeliveryStatus { Pending, Delivered, Failed }

/// <summary>
/// One event to deliver to one endpoint, with the payload fixed when the event was dispatched. Retries reuse the same
/// event id (<c>webhook-id</c>), so receivers can drop duplicates.
/// </summary>
public sealed class WebhookDelivery : Storage.ITenantOwned
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required bool TestMode { get; init; }
    public required string EndpointId { get; init; }
    public required string EventId { get; init; }
    public required string EventType { get; init; }
    public DateTime EventOccurredAt { get; init; }
    /// <summary>Deliveries with the same key go out one at a time, in event order (the signature request id).</summary>
    public required string OrderingKey { get; init; }
    public required string Payload { get; init; }
    public WebhookDeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime NextAttemptAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
    public DateTime? ClaimedUntil { get; set; }
    public string? ClaimToken { get; set; }
}

/// <summary>One HTTP attempt of a delivery, as the delivery log shows it.</summary>
public sealed class WebhookAttempt : Storage.ITenantOwned
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required bool TestMode { get; init; }
    public required string EndpointId { get; init; }
    public required string DeliveryId { get; init; }
    public required string EventId { get; init; }
    public required string EventType { get; init; }
    public DateTime AttemptedAt { get; init; }
    public int? StatusCode { get; init; }
    public double LatencyMs { get; init; }
    /// <summary>The first 1 KB of the response body.</summary>
    public string? ResponseBody { get; init; }
    public string? Error { get; init; }
}
