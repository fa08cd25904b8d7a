using ESign.Hub.Auth;
using ESign.Hub.Hosting;

namespace ESign.Hub.Signing;

public enum SigningSessionKind { Embedded, Session }

/// <summary>
/// A short-lived signing token besides the signer's email link: a single-use embedded URL (5 minutes), or the session
/// it turns into once opened or once an access code is verified. Only the token's hash is stored.
/// </summary>
public sealed class SigningSession : Storage.ITenantOwned
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required bool TestMode { get; init; }
    public required string SignatureRequestId { get; init; }
    public required string SignerId { get; init; }
    public required string TokenHash { get; init; }
    public SigningSessionKind Kind { get; init; }
    /// <summary>The signer proved their access code for this session.</summary>
    public bool AccessCodeVerified { get; init; }
    /// <summary>How the signer arrived, for the audit certificate.</summary>
    public required string Authentication { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime ExpiresAt { get; init; }
    public DateTime? UsedAt { get; private set; }

    public static (SigningSession Session, string Token) Create(string accountId, bool testMode, string requestId, string signerId, SigningSessionKind kind,
        bool accessCodeVerified, string authentication, DateTime now, TimeSpan lifetime)
    {
        var token = SecretTokens.NewSecret("");
        return (new SigningSession
        {
            Id = Ids.New("ss"),
            AccountId = accountId,
            TestMode = testMode,
            SignatureRequestId = requestId,
            SignerId = signerId,
            TokenHash = SecretTokens.Hash(token),
            Kind = kind,
            AccessCodeVerified = accessCodeVerified,
            Authentication = authentication,
            CreatedAt = now,
            ExpiresAt = now + lifetime,
        }, token);
    }

    public bool IsUsable(DateTime now) => ExpiresAt > now && (Kind != SigningSessionKind.Embedded || UsedAt is null);

    public void MarkUsed(DateTime now) => UsedAt ??= now;
}
