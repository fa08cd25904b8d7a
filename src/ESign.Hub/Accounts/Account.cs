namespace ESign.Hub.Accounts;

/// <summary>A tenant. Every other row carries its account id and is only ever read through it.</summary>
public sealed class Account
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public DateTime CreatedAt { get; init; }
    /// <summary>Who hears about problems with the account's integrations (e.g. a webhook endpoint disabled).</summary>
    public string? AdminEmail { get; set; }
}
