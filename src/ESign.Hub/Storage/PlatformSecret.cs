namespace ESign.Hub.Storage;

/// <summary>
/// A platform-wide secret generated on first start and shared by every hub process through the database
/// (today: the key that signs OAuth access tokens, unless configuration provides one).
/// </summary>
public sealed class PlatformSecret
{
    public required string Name { get; init; }
    public required string Value { get; init; }
    public DateTime CreatedAt { get; init; }
}
