namespace ESign.Hub.Idempotency;

/// <summary>The first response to a POST with an <c>Idempotency-Key</c>, replayed to retries for 24 hours.</summary>
public sealed class IdempotencyRecord : Storage.ITenantOwned
{
    public required string AccountId { get; init; }
    public required bool TestMode { get; init; }
    public required string Key { get; init; }
    /// <summary>SHA-256 of method, path and body: a retry must send the same request.</summary>
    public required string RequestHash { get; init; }
    /// <summary>0 while the first request is still running.</summary>
    public int StatusCode { get; set; }
    public string? ContentType { get; set; }
    public string? Location { get; set; }
    /// <summary>The response body, encrypted (<see cref="Storage.SecretBox"/>).</summary>
    public byte[]? Body { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime ExpiresAt { get; init; }
}
