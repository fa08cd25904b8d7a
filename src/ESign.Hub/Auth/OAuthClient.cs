using ESign.Hub.Hosting;

namespace ESign.Hub.Auth;

/// <summary>An OAuth 2.0 client-credentials client. Its id is public; only the secret's hash is stored.</summary>
public sealed class OAuthClient : Storage.ITenantOwned
{
    public const string SecretPrefix = "ecs_";

    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required string Name { get; set; }
    public required string SecretHash { get; init; }
    public required string Scopes { get; init; }
    public required bool TestMode { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? RevokedAt { get; private set; }

    public static (OAuthClient Client, string Secret) Create(string accountId, string name, bool testMode, IEnumerable<string> scopes, DateTime now)
    {
        var secret = SecretTokens.NewSecret(SecretPrefix);
        var client = new OAuthClient
        {
            Id = Ids.New("oc"),
            AccountId = accountId,
            Name = name,
            SecretHash = SecretTokens.Hash(secret),
            Scopes = Auth.Scopes.Join(scopes),
            TestMode = testMode,
            CreatedAt = now,
        };
        return (client, secret);
    }

    public void Revoke(DateTime now) => RevokedAt ??= now;
}
