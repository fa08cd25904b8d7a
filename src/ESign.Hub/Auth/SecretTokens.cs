using System.Security.Cryptography;
using System.Text;

namespace ESign.Hub.Auth;

/// <summary>
/// Random bearer secrets (API keys, OAuth client secrets, signing links) and their at-rest form.
/// The secrets carry 256 random bits, so a plain SHA-256 is a safe one-way hash: no salt or slow KDF is needed
/// to resist guessing, and the hash can be looked up by index.
/// </summary>
public static class SecretTokens
{
    public static string NewSecret(string prefix) =>
        prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Compares two hashes without leaking where they differ.</summary>
    public static bool HashesEqual(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    /// <summary>What we show of a secret after it is created: its prefix and last four characters.</summary>
    public static string Hint(string secret, int prefixLength) =>
        secret[..prefixLength] + "…" + secret[^4..];

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
