using ESign.Hub.Hosting;
using ESign.Hub.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Auth;

public sealed record CreateApiKeyRequest(string? Name, string[]? Scopes, string? Mode);

public sealed record ApiKeyResponse(string Id, string Name, string Hint, string[] Scopes, bool TestMode, DateTime CreatedAt, DateTime? RevokedAt)
{
    public static ApiKeyResponse From(ApiKey k) => new(k.Id, k.Name, k.Hint, Auth.Scopes.Split(k.Scopes), k.TestMode, k.CreatedAt, k.RevokedAt);
}

/// <summary>The key itself appears only here, in the response to its creation.</summary>
public sealed record CreatedApiKeyResponse(string Id, string Name, string Key, string Hint, string[] Scopes, bool TestMode, DateTime CreatedAt);

public static class ApiKeyEndpoints
{
    public static IEndpointRouteBuilder MapApiKeyEndpoints(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/v1/api-keys").WithTags("API keys").RequireScope(Scopes.Admin).ProducesAuthProblems();
        keys.MapPost("/", CreateApiKey).WithName("CreateApiKey").WithSummary("Create an API key (the key is shown once)").ProducesProblems(400, 422);
        keys.MapGet("/", ListApiKeys).WithName("ListApiKeys").WithSummary("List API keys, revoked ones included");
        keys.MapDelete("/{id}", RevokeApiKey).WithName("RevokeApiKey").WithSummary("Revoke an API key; it stops working at once").ProducesProblems(404);
        return app;
    }

    private static async Task<Results<Created<CreatedApiKeyResponse>, ProblemHttpResult>> CreateApiKey(
        CreateApiKeyRequest body, TenantScope tenant, HubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var caller = tenant.Caller!;
        var errors = new ValidationErrors();
        var (name, scopes, testMode) = CredentialRequests.Validate(body.Name, body.Scopes, body.Mode, caller, errors);
        if (errors.Any) return Problems.Invalid(errors);

        var (key, secret) = ApiKey.Create(caller.AccountId, name, testMode, scopes, clock.GetUtcNow().UtcDateTime);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/v1/api-keys/{key.Id}",
            new CreatedApiKeyResponse(key.Id, key.Name, secret, key.Hint, scopes, key.TestMode, key.CreatedAt));
    }

    private static async Task<Ok<ListResponse<ApiKeyResponse>>> ListApiKeys(HubDbContext db, CancellationToken ct)
    {
        var keys = await db.ApiKeys.AsNoTracking().OrderByDescending(k => k.Id).ToListAsync(ct);
        return TypedResults.Ok(new ListResponse<ApiKeyResponse>(keys.Select(ApiKeyResponse.From).ToList(), false, null));
    }

    private static async Task<Results<Ok<ApiKeyResponse>, ProblemHttpResult>> RevokeApiKey(
        string id, HubDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, ct);
        if (key is null) return Problems.NotFound("API key", id);
        key.Revoke(clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ApiKeyResponse.From(key));
    }
}

/// <summary>
/// Rules shared by API keys and OAuth clients: a name, known scopes, and the caller's own mode. Credentials are per mode
/// like everything else: a key manages (creates, lists, revokes) only credentials of its own mode.
/// </summary>
internal static class CredentialRequests
{
    public static (string Name, string[] Scopes, bool TestMode) Validate(
        string? name, string[]? scopes, string? mode, Caller caller, ValidationErrors errors)
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name)) errors.Add("name", "Give the credential a name, e.g. \"CRM integration\".");
        else if (name.Length > 100) errors.Add("name", "Use at most 100 characters.");

        if (scopes is null || scopes.Length == 0)
            errors.Add("scopes", $"List at least one scope: {string.Join(", ", Auth.Scopes.All)}.");
        else
            foreach (var unknown in scopes.Where(s => !Auth.Scopes.IsKnown(s)))
                errors.Add("scopes", $"Unknown scope '{unknown}'. Known scopes: {string.Join(", ", Auth.Scopes.All)}.");

        var callerMode = caller.TestMode ? "test" : "live";
        if (mode is not (null or "test" or "live")) errors.Add("mode", "Use \"test\" or \"live\".");
        else if (mode is not null && mode != callerMode)
            errors.Add("mode", $"A {callerMode}-mode credential creates {callerMode}-mode credentials only; use a {mode}-mode admin key for {mode}-mode ones.");
        return (name ?? "", scopes?.Distinct().ToArray() ?? [], caller.TestMode);
    }
}
