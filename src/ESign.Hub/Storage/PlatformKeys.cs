using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Storage;

/// <summary>
/// Named platform keys (token signing, link encryption), generated on first start and kept in the database so every
/// hub process uses the same ones. Loaded once at start; read without I/O afterwards.
/// </summary>
public sealed class PlatformKeys(TimeProvider clock)
{
    public const string OAuthSigning = "oauth_signing_key";
    // Encrypts every secret we must read again (SecretBox); the stored name predates its wider use and must stay.
    public const string DataEncryption = "link_encryption_key";

    private readonly ConcurrentDictionary<string, byte[]> _keys = new();

    public async Task InitializeAsync(HubDbContext db, CancellationToken ct)
    {
        foreach (var name in new[] { OAuthSigning, DataEncryption })
            _keys[name] = await LoadOrCreateAsync(db, name, ct);
    }

    public byte[] Get(string name) =>
        _keys.TryGetValue(name, out var key) ? key : throw new InvalidOperationException($"Platform key '{name}' is not loaded; InitializeAsync runs at start.");

    private async Task<byte[]> LoadOrCreateAsync(HubDbContext db, string name, CancellationToken ct)
    {
        var stored = await db.PlatformSecrets.FindAsync([name], ct);
        if (stored is null)
        {
            stored = new PlatformSecret { Name = name, Value = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), CreatedAt = clock.GetUtcNow().UtcDateTime };
            db.PlatformSecrets.Add(stored);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Another hub process created it first; use theirs.
                db.ChangeTracker.Clear();
                stored = await db.PlatformSecrets.SingleAsync(s => s.Name == name, ct);
            }
        }
        return Convert.FromBase64String(stored.Value);
    }
}
