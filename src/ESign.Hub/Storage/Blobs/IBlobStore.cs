namespace ESign.Hub.Storage.Blobs;

/// <summary>Where document bytes live. Chosen by <c>Hub:Blobs:Provider</c>: <c>file</c> or <c>database</c>.</summary>
public interface IBlobStore
{
    Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct);

    /// <summary>Returns null when no blob has this key.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken ct);
}
