using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ESign.Hub.Sealing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

using ESign.Hub.Tests.Infrastructure;

namespace ESign.Hub.Tests.Sealing;

/// <summary>Where the sealing certificate comes from, as configured through <c>AddPdfSealing</c>.</summary>
public sealed class SealingCertificateTests
{
    [Fact]
    public async Task Self_signed_certificate_is_created_owner_only_and_reused_after_a_restart()
    {
        var dataDirectory = SealingHost.NewDataDirectory();
        try
        {
            await SealTwiceThenRestart(dataDirectory);
        }
        finally
        {
            if (Directory.Exists(dataDirectory)) Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static async Task SealTwiceThenRestart(string dataDirectory)
    {
        string thumbprint;
        using (var first = new SealingHost(dataDirectory))
        {
            var sealedPdf = await first.Sealer.SealAsync(SampleRequests.Create(), CancellationToken.None);
            await first.Sealer.SealAsync(SampleRequests.Create(), CancellationToken.None);

            var pdfsig = (await PdfTools.PdfSig(sealedPdf.Content)).Output;
            Assert.Contains("Signer Certificate Common Name: ESign.Hub self-signed sealing certificate", pdfsig);
            Assert.Contains("Signature is Valid", pdfsig);
            var file = Path.Combine(dataDirectory, "sealing", SelfSignedCertificateSource.FileName);
            Assert.True(File.Exists(file));
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Single(first.Logs.Warnings, w => w.Contains("for testing only", StringComparison.Ordinal));
            thumbprint = (await Source(first).GetAsync(CancellationToken.None)).Thumbprint;
        }

        using var second = new SealingHost(dataDirectory);
        Assert.Equal(thumbprint, (await Source(second).GetAsync(CancellationToken.None)).Thumbprint);
    }

    [Fact]
    public async Task Configured_pkcs12_file_seals_the_document()
    {
        using var temp = new TempPfx("CN=Contoso Document Sealing, O=Contoso, C=DE", "s3cret!");
        using var host = new SealingHost(settings: new()
        {
            ["Hub:Sealing:CertificatePath"] = temp.Path,
            ["Hub:Sealing:CertificatePassword"] = "s3cret!",
        });
        host.ValidateOnStart();

        var sealedPdf = await host.Sealer.SealAsync(SampleRequests.Create(), CancellationToken.None);

        var pdfsig = (await PdfTools.PdfSig(sealedPdf.Content)).Output;
        Assert.Contains("Signer Certificate Common Name: Contoso Document Sealing", pdfsig);
        Assert.Contains("Signature is Valid", pdfsig);
        Assert.Contains("Contoso Document Sealing", await PdfTools.Text(sealedPdf.Content));
        Assert.False(Directory.Exists(Path.Combine(host.DataDirectory, "sealing")), "no self-signed certificate is made");
        Assert.Empty(host.Logs.Warnings);
    }

    [Fact]
    public async Task Wrong_pkcs12_password_fails_with_a_clear_message()
    {
        using var temp = new TempPfx("CN=Contoso Document Sealing", "right");
        using var host = new SealingHost(settings: new()
        {
            ["Hub:Sealing:CertificatePath"] = temp.Path,
            ["Hub:Sealing:CertificatePassword"] = "wrong",
        });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => host.Sealer.SealAsync(SampleRequests.Create(), CancellationToken.None));

        Assert.Contains("could not be read", error.Message);
        Assert.Contains("Hub:Sealing:CertificatePassword", error.Message);
    }

    [Theory]
    [InlineData("Hub:Sealing:TimestampUrl", "not a url", "TimestampUrl must be an absolute http or https URL")]
    [InlineData("Hub:Sealing:TimestampUrl", "ftp://tsa.example.com", "TimestampUrl must be an absolute http or https URL")]
    [InlineData("Hub:Sealing:CertificatePath", "/nonexistent/seal.pfx", "CertificatePath names a file that does not exist")]
    public void Bad_settings_fail_at_start(string key, string value, string message)
    {
        using var host = new SealingHost(settings: new() { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(host.ValidateOnStart);

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public async Task Unreachable_timestamp_authority_fails_the_seal_instead_of_sealing_without_it()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var host = new SealingHost(settings: new() { ["Hub:Sealing:TimestampUrl"] = $"http://127.0.0.1:{closedPort}/tsa" });
        host.ValidateOnStart();

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => host.Sealer.SealAsync(SampleRequests.Create(), CancellationToken.None));
    }

    private static ISealingCertificateSource Source(SealingHost host) => host.App.Services.GetRequiredService<ISealingCertificateSource>();

    /// <summary>A PKCS#12 file with a fresh RSA key, deleted afterwards.</summary>
    private sealed class TempPfx : IDisposable
    {
        public TempPfx(string subject, string password)
        {
            using var rsa = RSA.Create(2048);
            var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));
            File.WriteAllBytes(Path, certificate.Export(X509ContentType.Pkcs12, password));
        }

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"esign-seal-{Guid.NewGuid():N}.pfx");

        public void Dispose() => File.Delete(Path);
    }
}
