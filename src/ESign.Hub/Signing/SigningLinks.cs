using System.Security.Cryptography;
using ESign.Hub.Auth;
using ESign.Hub.SignatureRequests;
using ESign.Hub.Storage;

namespace ESign.Hub.Signing;

/// <summary>
/// Signing-link secrets. A link's token is 256 random bits; we store its SHA-256 (to find the signer) and an AES-GCM
/// encryption of it under the platform link key (so a reminder can carry the same link). Access codes, which people
/// choose and which are short, get a salted PBKDF2 hash instead.
/// </summary>
public sealed class SigningLinks(SecretBox box)
{
    public (string Token, SignerLink Link) NewLink()
    {
        var token = SecretTokens.NewSecret("");
        return (token, new SignerLink(SecretTokens.Hash(token), box.Seal(token)));
    }

    public string Unseal(string sealedToken) => box.Unseal(sealedToken);

    private const int Pbkdf2Iterations = 210_000;

    public static string HashAccessCode(string code)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(code, salt, Pbkdf2Iterations, HashAlgorithmName.SHA256, 32);
        return $"pbkdf2-sha256${Pbkdf2Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static bool AccessCodeMatches(string code, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || !int.TryParse(parts[1], out var iterations)) return false;
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(code, Convert.FromBase64String(parts[2]), iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
