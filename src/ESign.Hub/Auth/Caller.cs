namespace ESign.Hub.Auth;

/// <summary>The authenticated credential behind a request: which account, which key or client, what it may do.</summary>
public sealed record Caller(string AccountId, string CredentialId, IReadOnlySet<string> Scopes, bool TestMode)
{
    public bool Has(string scope) => Scopes.Contains(scope) || Scopes.Contains(Auth.Scopes.Admin);
}

/// <summary>
/// The tenant of the current unit of work: an account and a mode. Set once the request is authenticated; the database
/// context filters every tenant-owned table by both, so a query written without an account or mode condition still
/// cannot read another account, nor a test-mode credential live data (or the reverse).
/// </summary>
public sealed class TenantScope
{
    private (string AccountId, bool TestMode)? _actingFor;

    public Caller? Caller { get; set; }

    /// <summary>
    /// Work that runs outside a request (bootstrap, signing pages, background jobs) acts for one account in one mode: the
    /// mode of the object it works on (a signer's request, a shipped workflow's copy).
    /// </summary>
    public void ActFor(string accountId, bool testMode) => _actingFor = (accountId, testMode);

    public string? AccountId => _actingFor?.AccountId ?? Caller?.AccountId;

    /// <summary>Null when there is no tenant: then tenant-owned tables match nothing.</summary>
    public bool? TestMode => _actingFor?.TestMode ?? Caller?.TestMode;
}
