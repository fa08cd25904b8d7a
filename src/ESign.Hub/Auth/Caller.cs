namespace ESign.Hub.Auth;

/// <summary>The authenticated credential behind a request: which account, which key or client, what it may do.</summary>
public sealed record Caller(string AccountId, string CredentialId, IReadOnlySet<string> Scopes, bool TestMode)
{
    public bool Has(string scope) => Scopes.Contains(scope) || Scopes.Contains(Auth.Scopes.Admin);
}

/// <summary>
/// The tenant of the current unit of work. Set once the request is authenticated; the database context filters every
/// tenant-owned table by it, so a query written without an account condition still cannot read another account.
/// </summary>
public sealed class TenantScope
{
    public Caller? Caller { get; set; }

    /// <summary>Set by work that runs outside a request (bootstrap, background jobs) for one account.</summary>
    public string? AccountIdOverride { get; set; }

    public string? AccountId => AccountIdOverride ?? Caller?.AccountId;
}
