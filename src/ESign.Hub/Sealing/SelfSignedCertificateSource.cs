using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ESign.Hub.Sealing;

/// <summary>
/// The fallback when no certificate is configured: an RSA-2048 self-signed certificate, generated on first use and
/// kept at <c>{Hub:DataDirectory}/sealing/self-signed.pfx</c> (owner-only permissions) so every later start seals
/// with the same key. Validators call its issuer unknown: it proves integrity, not identity, and is for testing.
/// </summary>
public sealed class SelfSignedCertificateSource(string directory, ILogger<SelfSignedCertificateSource> logger, TimeProvider time)
    : ISealingCertificateSource, IDisposable
{
    public const string SubjectName = "CN=ESign.Hub self-signed sealing certificate";
    public const string FileName = "self-signed.pfx";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private X509Certificate2? _certificate;

    public string CertificatePath => Path.Combine(directory, FileName);

    public async Task<X509Certificate2> GetAsync(CancellationToken ct)
    {
        if (_certificate is { } cached) return cached;
        await _gate.WaitAsync(ct);
        try
        {
            if (_certificate is null)
            {
                _certificate = File.Exists(CertificatePath) ? Load(CertificatePath) : Create();
                logger.LogWarning(
                    "Sealing documents with the self-signed certificate {Path}: for testing only, validators report its issuer as unknown. " +
                    "Set Hub:Sealing:CertificatePath (and CertificatePassword) to a PKCS#12 file from a trusted CA for production.",
                    CertificatePath);
            }
            return _certificate;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _certificate?.Dispose();
        _gate.Dispose();
    }

    private X509Certificate2 Create()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(SubjectName, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, critical: true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = time.GetUtcNow();
        using var generated = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        var pfx = generated.Export(X509ContentType.Pkcs12);

        // Write under a temporary name with owner-only permissions from the start, then move into place; if another
        // process got there first, its certificate wins so that all of them seal with the same key.
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var temp = Path.Combine(directory, $".{FileName}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new FileStream(temp, options))
            file.Write(pfx);
        try
        {
            File.Move(temp, CertificatePath, overwrite: false);
        }
        catch (IOException) when (File.Exists(CertificatePath))
        {
            File.Delete(temp);
        }
        return Load(CertificatePath);
    }

    private static X509Certificate2 Load(string path)
    {
        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, null, X509KeyStorageFlags.EphemeralKeySet);
            if (certificate.HasPrivateKey) return certificate;
            certificate.Dispose();
        }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException($"The self-signed sealing certificate {path} is damaged ({e.Message}). Delete it to generate a new one.", e);
        }
        throw new InvalidOperationException($"The self-signed sealing certificate {path} holds no private key. Delete it to generate a new one.");
    }
}
