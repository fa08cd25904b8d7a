namespace ESign.Hub.Workflows;

public enum WorkflowVersionStatus { Draft, Published }

/// <summary>
/// One version of a workflow definition, stored as the Elsa-3-shaped JSON it was given (unknown parts kept verbatim).
/// A definition has at most one draft, always its newest version; publishing freezes it, and the next change starts a
/// new draft, so running instances keep the version they started on.
/// </summary>
public sealed class StoredWorkflow
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
    /// <summary>Runs its triggers start are in test mode when the version was published with a test key (or loaded from a file).</summary>
    public bool TestMode { get; set; }
    /// <summary>SHA-256 of the workflows/*.json file this version was loaded from; null for versions made through the API.</summary>
    public string? FileHash { get; set; }
}
