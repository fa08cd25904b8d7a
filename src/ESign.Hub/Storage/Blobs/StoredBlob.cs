namespace ESign.Hub.Storage.Blobs;

/// <summary>A blob kept in the database, for hub processes that share no disk.</summary>
public sealed class StoredBlob
{
    public required string Key { get; init; }
    public required byte[] Content { get; init; }
}
