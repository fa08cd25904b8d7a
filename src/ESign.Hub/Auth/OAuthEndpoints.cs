using System.Text;
using ESign.Hub.Hosting;
using ESign.Hub.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Auth;

public sealed record CreateOAuthClientRequest(string? Name, string[]? Scopes, string? Mode);

public sealed record OAuthClientResponse(string Id, string ClientId, string Name, string[] Scopes, bool TestMode, DateTime CreatedAt, DateTime? RevokedAt)
{
    public static OAuthClientResponse From(OAuthClient c) =>
        new(c.Id, c.Id, c.Name, Auth.Scopes.Split(c.Scopes), c.TestMode, c.CreatedAt, c.RevokedAt);
}

/// <summary>The client secret appears only here, in the response to its creation.</summary>
public sealed record CreatedOAuthClientResponse(string Id, string ClientId, string ClientSecret, string Name, string[] Scopes, bool TestMode, DateTime CreatedAt);

/// <summary>RFC 6749 §5.1 token response.</summary>
public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string Scope);

public static class OAuthEndpoints
{
    public static IEndpointRouteBuilder MapOAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var clients = app.MapGroup("/v1/oauth-clients").WithTags("OAuth clients").RequireScope(Scopes.Admin).ProducesAuthProblems();
        clients.MapPost("/", CreateClient).WithName("CreateOAuthClient").WithSummary("Create an OAuth client (the secret is shown once)").ProducesProblems(400, 422);
        clients.MapGet("/", ListClients).WithName("ListOAuthClients").WithSummary("List OAuth clients");
        clients.MapDelete("/{id}", RevokeClient).WithName("RevokeOAuthClient").WithSummary("Revoke an OAuth client and every token issued to it").ProducesProblems(404);

        app.MapPost("/oauth/token", IssueToken).WithTags("OAuth").WithName("IssueAccessToken")
            .WithSummary("Client-credentials grant (RFC 6749 §4.4): form fields grant_type, client_id, client_secret, scope")
            .DisableAntiforgery().AllowAnonymous().ProducesProblems(400, 401, 429);
        return app;
    }

    private static async Task<Results<Created<CreatedOAuthClientResponse>, ProblemHttpResult>> CreateClient(
        CreateOAuthClientRequest body, TenantScope tenant, HubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var caller = tenant.Caller!;
        var errors = new ValidationErrors();
        var (name, scopes, testMode) = CredentialRequests.Validate(body.Name, body.Scopes, body.Mode, caller, errors);
        if (errors.Any) return Problems.Invalid(errors);

        var (client, secret) = OAuthClient.Create(caller.AccountId, name, testMode, scopes, clock.GetUtcNow().UtcDateTime);
        db.OAuthClients.Add(client);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/v1/oauth-clients/{client.Id}",
            new CreatedOAuthClientResponse(client.Id, client.Id, secret, client.Name, scopes, client.TestMode, client.CreatedAt));
    }

    private static async Task<Ok<ListResponse<OAuthClientResponse>>> ListClients(HubDbContext db, CancellationToken ct)
    {
        var clients = await db.OAuthClients.AsNoTracking().OrderByDescending(c => c.Id).ToListAsync(ct);
        return TypedResults.Ok(new ListResponse<OAuthClientResponse>(clients.Select(OAuthClientResponse.From).ToList(), false, null));
    }

    private static async Task<Results<Ok<OAuthClientResponse>, ProblemHttpResult>> RevokeClient(
        string id, HubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var client = await db.OAuthClients.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (client is null) return Problems.NotFound("OAuth client", id);
        client.Revoke(clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(OAuthClientResponse.From(client));
    }

    /// <summary>
    /// Errors carry RFC 6749's <c>error</c> / <c>error_description</c> members inside an RFC 9457 problem, so OAuth
    /// libraries and people both read them.
    /// </summary>
    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> IssueToken(
        HttpContext http, HubDbContext db, AccessTokens tokens, CancellationToken ct)
    {
        if (!http.Request.HasFormContentType)
            return OAuthError(400, "invalid_request", "Send the token request as application/x-www-form-urlencoded.");
        var form = await http.Request.ReadFormAsync(ct);
        if (form["grant_type"] != "client_credentials")
            return OAuthError(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.");

        var (clientId, clientSecret) = ReadClientCredentials(http.Request, form);
        if (string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(clientSecret))
            return OAuthError(401, "invalid_client", "Send client_id and client_secret in the form or as HTTP Basic authentication.");

        var client = await db.OAuthClients.IgnoreQueryFilters().AsNoTracking()
            .FirstOrDefaultAsync(c => c.Id == clientId && c.RevokedAt == null, ct);
        // Hash the offered secret even when the client is unknown, so both failures take the same time.
        var offered = SecretTokens.Hash(clientSecret);
        if (client is null || !SecretTokens.HashesEqual(client.SecretHash, offered))
            return OAuthError(401, "invalid_client", "Unknown client, revoked client or wrong client secret.");

        var allowed = Scopes.Split(client.Scopes);
        var requested = Scopes.Split(form["scope"]);
        var notAllowed = requested.Except(allowed).ToArray();
        if (notAllowed.Length > 0)
            return OAuthError(400, "invalid_scope", $"This client may not request: {string.Join(' ', notAllowed)}. Allowed: {string.Join(' ', allowed)}.");
        var granted = requested.Length > 0 ? requested : allowed;

        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Pragma = "no-cache";
        return TypedResults.Ok(new TokenResponse(tokens.Issue(client, granted), "Bearer", tokens.LifetimeSeconds, Scopes.Join(granted)));
    }

    private static (string? Id, string? Secret) ReadClientCredentials(HttpRequest request, IFormCollection form)
    {
        string? header = request.Headers.Authorization;
        if (header?.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) == true)
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                var colon = pair.IndexOf(':');
                if (colon > 0) return (Uri.UnescapeDataString(pair[..colon]), Uri.UnescapeDataString(pair[(colon + 1)..]));
            }
            catch (FormatException)
            {
                return (null, null);
            }
        }
        return (form["client_id"], form["client_secret"]);
    }

    private static ProblemHttpResult OAuthError(int status, string error, string description) =>
        TypedResults.Problem(statusCode: status, title: error, detail: description,
            extensions: new Dictionary<string, object?> { ["error"] = error, ["error_description"] = description });
}
