namespace ESign.Hub.Storage;

/// <summary>
/// A row that belongs to one account in one mode. Test mode is a separate world, as in Stripe: every query of such a
/// table is filtered by the tenant's account and mode (<see cref="HubDbContext"/>), so the ids of the other mode answer
/// 404 without each endpoint remembering to check.
/// </summary>
public interface ITenantOwned
{
    /// <summary>Null only for audit events of calls that never authenticated (no tenant sees them).</summary>
    string? AccountId { get; }

    bool TestMode { get; }
}
