using System.Security.Claims;
using System.Security.Cryptography;
using ESign.Hub.Hosting;
using ESign.Hub.Storage;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ESign.Hub.Auth;

/// <summary>
/// Issues and validates the OAuth access tokens: short-lived JWTs (HS256) naming the client, its account and the
/// granted scopes. The signing key comes from <c>Hub:OAuth:SigningKey</c> (base64, ≥ 32 bytes) or, when unset, is
/// generated once and kept in the database so every hub process shares it.
/// </summary>
public sealed class AccessTokens(IOptions<HubOptions> options, IConfiguration configuration, TimeProvider clock)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private SymmetricSecurityKey? _key;

    public int LifetimeSeconds => options.Value.OAuth.AccessTokenLifetimeSeconds;

    /// <summary>Takes the signing key from configuration, else the platform key kept in the database. Called once at start.</summary>
    public void Initialize(PlatformKeys keys)
    {
        var configured = configuration["Hub:OAuth:SigningKey"];
        byte[] key;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            key = Convert.FromBase64String(configured);
            if (key.Length < 32) throw new InvalidOperationException("Hub:OAuth:SigningKey must be at least 32 bytes, base64-encoded.");
        }
        else
        {
            key = keys.Get(PlatformKeys.OAuthSigning);
        }
        _key = new SymmetricSecurityKey(key) { KeyId = Convert.ToHexStringLower(SHA256.HashData(key))[..16] };
    }

    public string Issue(OAuthClient client, IReadOnlyCollection<string> scopes)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var issuer = options.Value.OAuth.Issuer;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = issuer,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddSeconds(LifetimeSeconds),
            Subject = new ClaimsIdentity(
            [
                new Claim("sub", client.Id),
                new Claim("acct", client.AccountId),
                new Claim("scope", Scopes.Join(scopes)),
                new Claim("test_mode", client.TestMode ? "true" : "false"),
                new Claim("jti", Guid.NewGuid().ToString("N")),
            ]),
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>Returns the token's claims, or null when it is malformed, forged or expired.</summary>
    public async Task<AccessTokenClaims?> ValidateAsync(string token)
    {
        var issuer = options.Value.OAuth.Issuer;
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidAudience = issuer,
            IssuerSigningKey = Key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = (notBefore, expires, _, p) => expires is { } e && e > clock.GetUtcNow().UtcDateTime - p.ClockSkew,
        });
        if (!result.IsValid) return null;
        var claims = result.Claims;
        return new AccessTokenClaims(
            (string)claims["sub"], (string)claims["acct"], Scopes.Split(claims.TryGetValue("scope", out var s) ? (string)s : null),
            claims.TryGetValue("test_mode", out var t) && (string)t == "true");
    }

    private SymmetricSecurityKey Key => _key ?? throw new InvalidOperationException("AccessTokens.Initialize was not called.");
}

public sealed record AccessTokenClaims(string ClientId, string AccountId, string[] Scopes, bool TestMode);
