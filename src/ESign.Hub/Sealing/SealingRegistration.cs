using ESign.Hub.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Sealing;

public static class SealingRegistration
{
    /// <summary>
    /// <see cref="PdfSealer"/> and its certificate source: the PKCS#12 file named by <c>Hub:Sealing:CertificatePath</c>,
    /// or a self-signed certificate kept under <c>{Hub:DataDirectory}/sealing</c>.
    /// </summary>
    public static WebApplicationBuilder AddPdfSealing(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SealingOptions>().BindConfiguration(SealingOptions.Section)
            .Validate(o => string.IsNullOrWhiteSpace(o.TimestampUrl) || IsHttpUrl(o.TimestampUrl),
                "Hub:Sealing:TimestampUrl must be an absolute http or https URL.")
            .Validate(o => string.IsNullOrWhiteSpace(o.CertificatePath) || File.Exists(o.CertificatePath),
                "Hub:Sealing:CertificatePath names a file that does not exist.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ISealingCertificateSource>(sp =>
        {
            var sealing = sp.GetRequiredService<IOptions<SealingOptions>>().Value;
            if (!string.IsNullOrWhiteSpace(sealing.CertificatePath))
                return new Pkcs12FileCertificateSource(sealing.CertificatePath, sealing.CertificatePassword);
            var dataDirectory = sp.GetRequiredService<IConfiguration>()[$"{HubOptions.Section}:{nameof(HubOptions.DataDirectory)}"];
            return new SelfSignedCertificateSource(
                Path.Combine(Path.GetFullPath(string.IsNullOrWhiteSpace(dataDirectory) ? new HubOptions().DataDirectory : dataDirectory), "sealing"),
                sp.GetRequiredService<ILogger<SelfSignedCertificateSource>>(),
                sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<PdfSealer>();
        return builder;
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
