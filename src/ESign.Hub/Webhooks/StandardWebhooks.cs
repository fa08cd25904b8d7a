using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ESign.Hub.Webhooks;

/// <summary>
/// Signing and verification for Standard Webhooks v1 (https://www.standardwebhooks.com): the signature is
/// <c>v1,</c> + base64(HMAC-SHA256(key, <c>{webhook-id}.{webhook-timestamp}.{body}</c>)), where the key is the
/// base64-decoded secret without its <c>whsec_</c> prefix. The hub signs with it; receivers written in .NET may verify
/// with <see cref="Verify"/>, any other receiver with the Standard Webhooks library of its language.
/// </summary>
public static class StandardWebhooks
{
    /// <summary>The prefix every secret made by <see cref="NewSecret"/> carries.</summary>
    public const string SecretPrefix = "whsec_";

    /// <summary>How far a receiver's clock may be from the timestamp when no tolerance is given.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    private const string Version = "v1";
    private const int SignatureBytes = 32;

    /// <summary>A new random signing secret: <c>whsec_</c> followed by 24 random bytes in base64.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    /// <summary>
    /// The <c>webhook-signature</c> value for one message signed with one secret: <c>v1,&lt;base64&gt;</c>.
    /// </summary>
    /// <param name="secret">A secret as made by <see cref="NewSecret"/>; the <c>whsec_</c> prefix is optional.</param>
    /// <param name="messageId">The <c>webhook-id</c> header; unique per message and the same on every retry.</param>
    /// <param name="timestamp">The <c>webhook-timestamp</c> header: Unix seconds of this attempt.</param>
    /// <param name="body">The exact request body that will be sent.</param>
    /// <exception cref="ArgumentException">The secret is empty or not base64.</exception>
    public static string Sign(string secret, string messageId, long timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        ArgumentNullException.ThrowIfNull(body);
        return Version + "," + Convert.ToBase64String(Hash(DecodeSecret(secret), messageId, timestamp, body));
    }

    /// <summary>
    /// The <c>webhook-signature</c> value when several secrets sign at once (during a rotation the old and the new
    /// secret both sign, so receivers holding either accept the message): one <c>v1,…</c> per secret, space-separated.
    /// </summary>
    /// <exception cref="ArgumentException">No secret is given, or one is empty or not base64.</exception>
    public static string SignatureHeader(IEnumerable<string> secrets, string messageId, long timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var signatures = secrets.Select(secret => Sign(secret, messageId, timestamp, body)).ToList();
        if (signatures.Count == 0)
            throw new ArgumentException("At least one secret must sign the message.", nameof(secrets));
        return string.Join(' ', signatures);
    }

    /// <summary>
    /// Whether a received message is authentic and fresh: its timestamp is within <paramref name="tolerance"/> of
    /// <paramref name="now"/> (either direction, against replays) and at least one <c>v1,</c> entry of the signature
    /// header matches (other versions are ignored). Signatures are compared in constant time.
    /// Returns false, never throws, for anything malformed in the received values.
    /// </summary>
    /// <param name="secret">This receiver's secret; the <c>whsec_</c> prefix is optional.</param>
    /// <param name="messageId">The <c>webhook-id</c> header.</param>
    /// <param name="timestamp">The <c>webhook-timestamp</c> header, Unix seconds as sent.</param>
    /// <param name="signatureHeader">The <c>webhook-signature</c> header: space-separated <c>v1,&lt;base64&gt;</c> entries.</param>
    /// <param name="body">The raw request body exactly as received (before any JSON parsing or re-serialisation).</param>
    /// <param name="now">The receiver's current time.</param>
    /// <param name="tolerance">The largest accepted clock difference; <see cref="DefaultTolerance"/> (5 minutes) when null.</param>
    /// <exception cref="ArgumentException">The secret is empty or not base64 (a receiver configuration error).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The tolerance is negative.</exception>
    public static bool Verify(
        string secret, string? messageId, string? timestamp, string? signatureHeader, string? body,
        DateTimeOffset now, TimeSpan? tolerance = null)
    {
        var key = DecodeSecret(secret);
        var allowed = tolerance ?? DefaultTolerance;
        ArgumentOutOfRangeException.ThrowIfLessThan(allowed, TimeSpan.Zero, nameof(tolerance));

        if (messageId is null || body is null || string.IsNullOrEmpty(signatureHeader))
            return false;
        // Digits only, as the spec sends them; no sign, spaces or exponent.
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return false;
        // Bounds rather than a difference: a huge received timestamp cannot overflow them.
        var nowSeconds = now.ToUnixTimeSeconds();
        var allowedSeconds = (long)allowed.TotalSeconds;
        if (seconds < nowSeconds - allowedSeconds || seconds > nowSeconds + allowedSeconds)
            return false;

        var expected = Hash(key, messageId, seconds, body);
        Span<byte> received = stackalloc byte[SignatureBytes];
        var matched = false;
        foreach (var entry in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var comma = entry.IndexOf(',');
            if (comma < 0 || !entry.AsSpan(0, comma).SequenceEqual(Version))
                continue;
            if (Convert.TryFromBase64String(entry[(comma + 1)..], received, out var written) && written == SignatureBytes)
                matched |= CryptographicOperations.FixedTimeEquals(received, expected);
        }
        return matched;
    }

    private static byte[] Hash(byte[] key, string messageId, long timestamp, string body) =>
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{messageId}.{timestamp.ToString(CultureInfo.InvariantCulture)}.{body}"));

    private static byte[] DecodeSecret(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var encoded = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        try
        {
            var key = Convert.FromBase64String(encoded);
            if (key.Length == 0)
                throw new ArgumentException("The webhook secret is empty.", nameof(secret));
            return key;
        }
        catch (FormatException e)
        {
            throw new ArgumentException("The webhook secret is not whsec_ followed by base64.", nameof(secret), e);
        }
    }
}
