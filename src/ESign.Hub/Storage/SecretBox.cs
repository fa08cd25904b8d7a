using System.Security.Cryptography;
using System.Text;

namespace ESign.Hub.Storage;

/// <summary>
/// Encrypts secrets we must be able to read again (signing links for reminders, webhook signing secrets) with AES-GCM
/// under the platform data key. Secrets we only need to recognise are hashed instead (API keys, client secrets).
/// </summary>
public sealed class SecretBox(PlatformKeys keys)
{
    public string Seal(string secret)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var output = new byte[12 + 16 + plain.Length];
        var nonce = output.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(keys.Get(PlatformKeys.LinkEncryption), 16);
        aes.Encrypt(nonce, plain, output.AsSpan(28), output.AsSpan(12, 16));
        return Convert.ToBase64String(output);
    }

    public string Unseal(string sealedSecret)
    {
        var bytes = Convert.FromBase64String(sealedSecret);
        var plain = new byte[bytes.Length - 28];
        using var aes = new AesGcm(keys.Get(PlatformKeys.LinkEncryption), 16);
        aes.Decrypt(bytes.AsSpan(0, 12), bytes.AsSpan(28), bytes.AsSpan(12, 16), plain);
        return Encoding.UTF8.GetString(plain);
    }
}
