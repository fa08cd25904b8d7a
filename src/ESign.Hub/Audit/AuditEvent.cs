namespace ESign.Hub.Audit;

/// <summary>One API call: who (credential), what (route), the outcome (status) and from where.</summary>
public sealed class AuditEvent : Storage.ITenantOwned
{
    public required string Id { get; init; }
    /// <summary>Null for calls that never authenticated (they are kept for operators, not shown to any account).</summary>
    public string? AccountId { get; init; }
    public required bool TestMode { get; init; }
    public string? CredentialId { get; init; }
    public required string Method { get; init; }
    public required string Route { get; init; }
    public required string Path { get; init; }
    public int StatusCode { get; init; }
    public string? IpAddress { get; init; }
    public string? UserAgent { get; init; }
    public DateTime OccurredAt { get; init; }
    public double DurationMs { get; init; }
}
