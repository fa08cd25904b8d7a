using ESign.Hub.Accounts;
using ESign.Hub.Auth;
using ESign.Hub.SignatureRequests;
using ESign.Hub.Storage;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Signing;

/// <summary>A signer reached through a signing link or session, with their request loaded.</summary>
public sealed record SignerAccess(Account Account, SignatureRequest Request, Signer Signer, bool AccessCodeVerified, string Authentication)
{
    public bool NeedsAccessCode => Signer.AccessCodeHash is not null && !AccessCodeVerified;
}

/// <summary>
/// Finds who a signing token belongs to: a signer's email link, or a session made from an embedded URL or a verified
/// access code. Signing pages have no API credential, so this is where their tenant is set.
/// </summary>
public sealed class SignerAccessResolver(HubDbContext db, TenantScope tenant, TimeProvider clock)
{
    public async Task<SignerAccess?> ResolveAsync(string token, CancellationToken ct)
    {
        if (token.Length is < 20 or > 100) return null;
        var hash = SecretTokens.Hash(token);
        var signer = await db.Signers.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(s => s.AccessTokenHash == hash, ct);
        var verified = false;
        var authentication = "Email link";
        if (signer is null)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var session = await db.SigningSessions.IgnoreQueryFilters().AsNoTracking()
                .FirstOrDefaultAsync(s => s.TokenHash == hash && s.Kind == SigningSessionKind.Session, ct);
            if (session is null || !session.IsUsable(now)) return null;
            signer = await db.Signers.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(s => s.Id == session.SignerId, ct);
            if (signer is null) return null;
            verified = session.AccessCodeVerified;
            authentication = session.Authentication;
        }
        // The link belongs to the request's mode: the page works on that mode's rows only.
        return await LoadAsync(signer.AccountId, signer.TestMode, signer.SignatureRequestId, signer.Id, verified, authentication, ct);
    }

    /// <summary>A request with everything on it, for work done on behalf of an account (scheduler).</summary>
    public async Task<(Account Account, SignatureRequest Request)?> LoadRequestAsync(string accountId, bool testMode, string requestId, CancellationToken ct)
    {
        tenant.ActFor(accountId, testMode);
        var request = await db.SignatureRequests
            .Include(r => r.Signers).Include(r => r.Fields).Include(r => r.Events).Include(r => r.Metadata)
            .AsSplitQuery().FirstOrDefaultAsync(r => r.Id == requestId, ct);
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.Id == accountId, ct);
        return request is null || account is null ? null : (account, request);
    }

    public async Task<SignerAccess?> LoadAsync(string accountId, bool testMode, string requestId, string signerId, bool verified, string authentication, CancellationToken ct)
    {
        var loaded = await LoadRequestAsync(accountId, testMode, requestId, ct);
        if (loaded is not var (account, request)) return null;
        var signer = request.Signers.FirstOrDefault(s => s.Id == signerId);
        if (signer is null) return null;
        return new SignerAccess(account, request, signer, verified, authentication);
    }
}
