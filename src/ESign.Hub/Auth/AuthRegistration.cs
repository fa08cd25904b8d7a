using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace ESign.Hub.Auth;

public static class AuthRegistration
{
    /// <summary>Bearer authentication (API keys and OAuth tokens) and one authorization policy per scope.</summary>
    public static WebApplicationBuilder AddHubAuth(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<AccessTokens>();
        services.AddAuthentication(BearerAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthentication>(BearerAuthentication.SchemeName, null);
        services.AddAuthorization(o =>
        {
            foreach (var scope in Scopes.All)
                o.AddPolicy(scope, p => p.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(scope)));
        });
        services.AddScoped<IAuthorizationHandler, ScopeRequirementHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResults>();
        return builder;
    }

    /// <summary>The endpoint needs a credential holding <paramref name="scope"/> (or <c>admin</c>).</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder endpoint, string scope) where TBuilder : IEndpointConventionBuilder =>
        endpoint.RequireAuthorization(scope);
}

public sealed record ScopeRequirement(string Scope) : IAuthorizationRequirement;

internal sealed class ScopeRequirementHandler(TenantScope tenant) : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (tenant.Caller?.Has(requirement.Scope) == true) context.Succeed(requirement);
        else context.Fail(new AuthorizationFailureReason(this, requirement.Scope));
        return Task.CompletedTask;
    }
}

/// <summary>Turns a missing scope into a 403 problem that names the scope to add.</summary>
internal sealed class ProblemAuthorizationResults : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (result.Forbidden && result.AuthorizationFailure?.FailureReasons.FirstOrDefault() is { } reason)
        {
            return Results.Problem(statusCode: 403, title: "Forbidden",
                detail: $"This credential lacks the '{reason.Message}' scope. Use a key or client that has it, or 'admin'.")
                .ExecuteAsync(context);
        }
        return _default.HandleAsync(next, context, policy, result);
    }
}
