using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Storage.Blobs;

/// <summary>Blobs in the hub database, so several hub processes on PostgreSQL need no shared disk.</summary>
public sealed class DatabaseBlobStore(IServiceScopeFactory scopes) : IBlobStore
{
    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        db.Blobs.Add(new StoredBlob { Key = key, Content = content.ToArray() });
        await db.SaveChangesAsync(ct);
    }

    public async Task<Stream?> OpenReadAsync(string key, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        var content = await db.Blobs.Where(b => b.Key == key).Select(b => b.Content).FirstOrDefaultAsync(ct);
        return content is null ? null : new MemoryStream(content, writable: false);
    }
}
