using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Storage.Blobs;

/// <summary>Blobs in the hub database, so several hub processes on PostgreSQL need no shared disk.</summary>
public sealed class DatabaseBlobStore(IServiceScopeFactory scopes) : IBlobStore
{
    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        // Blobs are written once per key (documents, cached page images); a second writer of the same key is a no-op.
        if (await db.Blobs.AnyAsync(b => b.Key == key, ct)) return;
        db.Blobs.Add(new StoredBlob { Key = key, Content = content.ToArray() });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Lost a race with another writer of the same key; theirs is the same content.
            db.ChangeTracker.Clear();
            if (!await db.Blobs.AsNoTracking().AnyAsync(b => b.Key == key, ct)) throw;
        }
    }

    public async Task<Stream?> OpenReadAsync(string key, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        var content = await db.Blobs.Where(b => b.Key == key).Select(b => b.Content).FirstOrDefaultAsync(ct);
        return content is null ? null : new MemoryStream(content, writable: false);
    }
}
