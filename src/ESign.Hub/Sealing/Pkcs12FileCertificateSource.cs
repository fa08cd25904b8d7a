using System.Security.Cryptography.X509Certificates;

namespace ESign.Hub.Sealing;

/// <summary>The sealing certificate from a configured PKCS#12 file, read on first use and kept for the process.</summary>
public sealed class Pkcs12FileCertificateSource(string path, string? password) : ISealingCertificateSource, IDisposable
{
    private readonly Lazy<X509Certificate2> _certificate = new(() => Load(path, password));

    public Task<X509Certificate2> GetAsync(CancellationToken ct) => Task.FromResult(_certificate.Value);

    public void Dispose()
    {
        if (_certificate.IsValueCreated) _certificate.Value.Dispose();
    }

    private static X509Certificate2 Load(string path, string? password)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, string.IsNullOrEmpty(password) ? null : password,
                X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"The sealing certificate {path} (Hub:Sealing:CertificatePath) could not be read: {e.Message} " +
                "Check the file and Hub:Sealing:CertificatePassword.", e);
        }
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new InvalidOperationException($"The sealing certificate {path} (Hub:Sealing:CertificatePath) holds no private key.");
        }
        return certificate;
    }
}
