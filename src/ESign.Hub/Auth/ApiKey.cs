using ESign.Hub.Hosting;

namespace ESign.Hub.Auth;

/// <summary>A bearer API key (<c>esk_test_…</c> / <c>esk_live_…</c>). Only its hash is stored.</summary>
public sealed class ApiKey : Storage.ITenantOwned
{
    public const string TestPrefix = "esk_test_";
    public const string LivePrefix = "esk_live_";

    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required string Name { get; set; }
    public required string TokenHash { get; init; }
    public required string Hint { get; init; }
    public required string Scopes { get; init; }
    public required bool TestMode { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? RevokedAt { get; private set; }

    public static bool LooksLikeKey(string token) =>
        token.StartsWith(TestPrefix, StringComparison.Ordinal) || token.StartsWith(LivePrefix, StringComparison.Ordinal);

    /// <summary>Creates a key; the plaintext is returned once and never stored.</summary>
    public static (ApiKey Key, string Secret) Create(string accountId, string name, bool testMode, IEnumerable<string> scopes, DateTime now)
    {
        var secret = SecretTokens.NewSecret(testMode ? TestPrefix : LivePrefix);
        return (FromSecret(accountId, name, secret, scopes, now), secret);
    }

    /// <summary>Registers a key whose plaintext the operator chose (the bootstrap key).</summary>
    public static ApiKey FromSecret(string accountId, string name, string secret, IEnumerable<string> scopes, DateTime now) => new()
    {
        Id = Ids.New("key"),
        AccountId = accountId,
        Name = name,
        TokenHash = SecretTokens.Hash(secret),
        Hint = SecretTokens.Hint(secret, secret.StartsWith(TestPrefix, StringComparison.Ordinal) ? TestPrefix.Length + 4 : LivePrefix.Length + 4),
        Scopes = Auth.Scopes.Join(scopes),
        TestMode = secret.StartsWith(TestPrefix, StringComparison.Ordinal),
        CreatedAt = now,
    };

    public void Revoke(DateTime now) => RevokedAt ??= now;
}
