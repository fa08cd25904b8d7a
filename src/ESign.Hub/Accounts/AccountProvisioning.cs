using ESign.Hub.Auth;
using ESign.Hub.Hosting;
using ESign.Hub.Storage;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Accounts;

/// <summary>Creates accounts with their first admin key: at start (bootstrap key, first run) and for tests.</summary>
public sealed class AccountProvisioning(HubDbContext db, TimeProvider clock, Workflows.WorkflowFiles workflowFiles)
{
    /// <summary>Creates an account and an admin key with every scope. The key's plaintext is returned once.</summary>
    public async Task<(Account Account, string ApiKey)> CreateAccountAsync(string name, bool testMode, CancellationToken ct, string? apiKey = null)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var account = new Account { Id = Ids.New("acct"), Name = name, CreatedAt = now };
        ApiKey key;
        if (apiKey is null)
            (key, apiKey) = ApiKey.Create(account.Id, "Admin key", testMode, Scopes.All, now);
        else
            key = ApiKey.FromSecret(account.Id, "Bootstrap key", apiKey, Scopes.All, now);
        db.Accounts.Add(account);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(ct);
        // A new account starts with the workflows shipped as files, like the accounts that existed at start.
        await workflowFiles.LoadAsync(ct, account.Id);
        return (account, apiKey);
    }

    /// <summary>
    /// Adds an admin key (every scope) of the given mode to an account. Keys manage only keys of their own mode, so the
    /// first key of the other mode comes from here (the operator), as the first key of an account does.
    /// </summary>
    public async Task<string> AddAdminKeyAsync(string accountId, bool testMode, CancellationToken ct)
    {
        var (key, secret) = ApiKey.Create(accountId, testMode ? "Test admin key" : "Live admin key", testMode, Scopes.All, clock.GetUtcNow().UtcDateTime);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(ct);
        return secret;
    }

    /// <summary><c>Hub:BootstrapApiKey</c>: make sure an account with exactly this admin key exists.</summary>
    public async Task<bool> EnsureBootstrapKeyAsync(string apiKey, CancellationToken ct)
    {
        if (!ApiKey.LooksLikeKey(apiKey) || apiKey.Length < ApiKey.TestPrefix.Length + 16)
            throw new InvalidOperationException("Hub:BootstrapApiKey must start with esk_test_ or esk_live_ followed by at least 16 characters.");
        var hash = SecretTokens.Hash(apiKey);
        if (await db.ApiKeys.IgnoreQueryFilters().AnyAsync(k => k.TokenHash == hash, ct)) return false;
        await CreateAccountAsync("Default account", apiKey.StartsWith(ApiKey.TestPrefix, StringComparison.Ordinal), ct, apiKey);
        return true;
    }

    public Task<bool> AnyAccountAsync(CancellationToken ct) => db.Accounts.AnyAsync(ct);
}
