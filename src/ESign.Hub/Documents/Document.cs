namespace ESign.Hub.Documents;

/// <summary>An uploaded (or, later, generated or signed) PDF. The bytes live in the blob store under <see cref="BlobKey"/>.</summary>
public sealed class Document : Storage.ITenantOwned
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required string Name { get; init; }
    public required string Sha256 { get; init; }
    public int PageCount { get; init; }
    public long SizeBytes { get; init; }
    public required bool TestMode { get; init; }
    public DateTime CreatedAt { get; init; }
    public required string BlobKey { get; init; }
    /// <summary>Set when a workflow activity made the document: its idempotency key, so a re-run after a crash finds it instead of making another.</summary>
    public string? SourceKey { get; init; }

    /// <summary>Each page's visible size in points, so field coordinates can be checked without reopening the PDF.</summary>
    public required List<PageSize> PageSizes { get; init; }
}

public sealed record PageSize(double Width, double Height);
