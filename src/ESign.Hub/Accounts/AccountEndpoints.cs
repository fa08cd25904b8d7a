using System.Net.Mail;
using ESign.Hub.Auth;
using ESign.Hub.Hosting;
using ESign.Hub.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Accounts;

public sealed record AccountResponse(string Id, string Name, string? AdminEmail, DateTime CreatedAt)
{
    public static AccountResponse From(Account a) => new(a.Id, a.Name, a.AdminEmail, a.CreatedAt);
}

public sealed record UpdateAccountBody(string? Name, string? AdminEmail);

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/v1/account").WithTags("Account").RequireScope(Scopes.Admin).ProducesAuthProblems();
        account.MapGet("/", GetAccount).WithName("GetAccount").WithSummary("The caller's account");
        account.MapPatch("/", UpdateAccount).WithName("UpdateAccount")
            .WithSummary("Rename the account or set the admin email that hears about integration problems").ProducesProblems(400, 422);
        return app;
    }

    private static async Task<Ok<AccountResponse>> GetAccount(TenantScope tenant, HubDbContext db, CancellationToken ct) =>
        TypedResults.Ok(AccountResponse.From(await db.Accounts.AsNoTracking().FirstAsync(a => a.Id == tenant.AccountId, ct)));

    private static async Task<Results<Ok<AccountResponse>, ProblemHttpResult>> UpdateAccount(
        UpdateAccountBody body, TenantScope tenant, HubDbContext db, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var name = body.Name?.Trim();
        if (name is { Length: 0 or > 200 }) errors.Add("name", "A name is 1 to 200 characters.");
        var email = body.AdminEmail?.Trim();
        if (email is { Length: > 0 } && (!MailAddress.TryCreate(email, out var parsed) || parsed.Address != email || email.Length > 254))
            errors.Add("admin_email", $"'{email}' is not an email address.");
        if (errors.Any) return Problems.Invalid(errors);

        var account = await db.Accounts.FirstAsync(a => a.Id == tenant.AccountId, ct);
        if (name is not null) account.Name = name;
        if (email is not null) account.AdminEmail = email.Length == 0 ? null : email;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(AccountResponse.From(account));
    }
}
