namespace ESign.Hub.Workflows;

public enum WorkflowVersionStatus { Draft, Published }

/// <summary>
/// One version of a workflow definition, stored as the Elsa-3-shaped JSON it was given (unknown parts kept verbatim).
/// A definition has at most one draft, always its newest version; publishing freezes it, and the next change starts a
/// new draft, so running instances keep the version they started on.
/// </summary>
public sealed class StoredWorkflow : Storage.ITenantOwned
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required string DefinitionId { get; init; }
    public int Version { get; init; }
    public WorkflowVersionStatus Status { get; set; }
    public string? Name { get; set; }
    public required string Json { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? PublishedAt { get; set; }
    /// <summary>
    /// The mode of the credential that created the definition (each shipped file has a copy per mode): every version and
    /// run of the definition lives in that mode, and runs its triggers start are in that mode.
    /// </summary>
    public required bool TestMode { get; init; }
    /// <summary>
    /// The scopes of the credential that published this version (space-separated), recorded at publish: runs that a
    /// trigger starts (HTTP, event, timer, cron) have no credential of their own and act with these. Null for drafts.
    /// </summary>
    public string? PublisherScopes { get; set; }
    /// <summary>SHA-256 of the workflows/*.json file this version was loaded from; null for versions made through the API.</summary>
    public string? FileHash { get; set; }
}
