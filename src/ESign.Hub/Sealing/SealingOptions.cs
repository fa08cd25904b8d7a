namespace ESign.Hub.Sealing;

/// <summary>Settings under <c>Hub:Sealing</c>. With none set, documents are sealed with a generated self-signed certificate.</summary>
public sealed class SealingOptions
{
    public const string Section = "Hub:Sealing";

    /// <summary>PKCS#12 (.pfx/.p12) file holding the sealing certificate and its private key.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Password of <see cref="CertificatePath"/>; empty or unset for a file without one.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>RFC 3161 time-stamping authority (http or https URL). When set, every seal carries its timestamp.</summary>
    public string? TimestampUrl { get; set; }
}
