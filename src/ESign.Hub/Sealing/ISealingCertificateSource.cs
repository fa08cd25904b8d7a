using System.Security.Cryptography.X509Certificates;

namespace ESign.Hub.Sealing;

/// <summary>
/// Where the certificate (with its private key) that seals finished documents comes from. Chosen by configuration:
/// <see cref="Pkcs12FileCertificateSource"/> when <c>Hub:Sealing:CertificatePath</c> is set, otherwise
/// <see cref="SelfSignedCertificateSource"/>. An HSM or cloud key service would be a third implementation.
/// </summary>
public interface ISealingCertificateSource
{
    /// <summary>The certificate to seal with. Implementations cache it; callers must not dispose it.</summary>
    Task<X509Certificate2> GetAsync(CancellationToken ct);
}
