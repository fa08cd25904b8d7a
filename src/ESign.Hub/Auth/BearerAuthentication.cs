using System.Security.Claims;
using System.Text.Encodings.Web;
using ESign.Hub.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Auth;

/// <summary>
/// Accepts <c>Authorization: Bearer</c> with an API key (<c>esk_…</c>) or an OAuth access token. The credential is looked
/// up on every request, so a revoked key or client stops working at once, in every hub process.
/// </summary>
public sealed class BearerAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    HubDbContext db, TenantScope tenant, AccessTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer <API key or access token>'.");
        var token = header["Bearer ".Length..].Trim();

        var caller = ApiKey.LooksLikeKey(token) ? await FromApiKeyAsync(token) : await FromAccessTokenAsync(token);
        if (caller is null)
            return AuthenticateResult.Fail("The API key or access token is invalid, expired or revoked.");

        tenant.Caller = caller;
        var identity = new ClaimsIdentity(
            [new Claim("acct", caller.AccountId), new Claim("cred", caller.CredentialId)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private async Task<Caller?> FromApiKeyAsync(string token)
    {
        var hash = SecretTokens.Hash(token);
        var key = await db.ApiKeys.IgnoreQueryFilters().AsNoTracking()
            .Where(k => k.TokenHash == hash && k.RevokedAt == null)
            .Select(k => new { k.Id, k.AccountId, k.Scopes, k.TestMode, k.TokenHash })
            .FirstOrDefaultAsync(Context.RequestAborted);
        // The index lookup already matched the hash; comparing again in constant time keeps timing independent of content.
        if (key is null || !SecretTokens.HashesEqual(key.TokenHash, hash)) return null;
        return new Caller(key.AccountId, key.Id, Scopes.Split(key.Scopes).ToHashSet(StringComparer.Ordinal), key.TestMode);
    }

    private async Task<Caller?> FromAccessTokenAsync(string token)
    {
        var claims = await tokens.ValidateAsync(token);
        if (claims is null) return null;
        var clientActive = await db.OAuthClients.IgnoreQueryFilters().AsNoTracking()
            .AnyAsync(c => c.Id == claims.ClientId && c.AccountId == claims.AccountId && c.RevokedAt == null, Context.RequestAborted);
        if (!clientActive) return null;
        return new Caller(claims.AccountId, claims.ClientId, claims.Scopes.ToHashSet(StringComparer.Ordinal), claims.TestMode);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        Response.Headers.WWWAuthenticate = failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        await Problem(StatusCodes.Status401Unauthorized, "Unauthorized",
            failure ?? "Send an API key or OAuth access token as 'Authorization: Bearer <token>'.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problem(StatusCodes.Status403Forbidden, "Forbidden", "This credential is not allowed to do this.");

    private Task Problem(int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(Context);
}
