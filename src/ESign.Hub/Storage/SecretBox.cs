using System.Security.Cryptography;
using System.Text;

namespace ESign.Hub.Storage;

/// <summary>
/// Encrypts secrets we must be able to read again (signing links for reminders, webhook signing secrets, stored
/// idempotent responses that may carry a secret shown once) with AES-GCM
/// under the platform data key. Secrets we only need to recognise are hashed instead (API keys, client secrets).
/// </summary>
public sealed class SecretBox(PlatformKeys keys)
{
    public string Seal(string secret) => Convert.ToBase64String(Seal(Encoding.UTF8.GetBytes(secret)));

    public string Unseal(string sealedSecret) => Encoding.UTF8.GetString(Unseal(Convert.FromBase64String(sealedSecret)));

    /// <summary>nonce (12) | tag (16) | ciphertext.</summary>
    public byte[] Seal(ReadOnlySpan<byte> plain)
    {
        var output = new byte[12 + 16 + plain.Length];
        var nonce = output.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(keys.Get(PlatformKeys.DataEncryption), 16);
        aes.Encrypt(nonce, plain, output.AsSpan(28), output.AsSpan(12, 16));
        return output;
    }

    public byte[] Unseal(ReadOnlySpan<byte> sealedBytes)
    {
        var plain = new byte[sealedBytes.Length - 28];
        using var aes = new AesGcm(keys.Get(PlatformKeys.DataEncryption), 16);
        aes.Decrypt(sealedBytes[..12], sealedBytes[28..], sealedBytes.Slice(12, 16), plain);
        return plain;
    }
}
