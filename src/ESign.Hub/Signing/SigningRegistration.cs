using ESign.Hub.Email;
using ESign.Hub.Hosting;

namespace ESign.Hub.Signing;

public static class SigningRegistration
{
    /// <summary>Signing links and pages, the signer's actions, email (SMTP or local outbox), the scheduler and finalization.</summary>
    public static WebApplicationBuilder AddSigning(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SigningOptions>().BindConfiguration("Hub:Signing")
            .Validate(o => o.EmbeddedUrlLifetimeSeconds is > 0 and <= 3600, "Hub:Signing:EmbeddedUrlLifetimeSeconds must be 1 to 3600.")
            .ValidateOnStart();
        services.AddOptions<EmailOptions>().BindConfiguration("Hub:Email")
            .Validate(o => !o.UsesSmtp || o.Smtp.Port is > 0 and < 65536, "Hub:Email:Smtp:Port must be a TCP port.")
            .ValidateOnStart();
        services.AddSingleton<PublicUrls>();
        services.AddSingleton<SigningAssets>();
        services.AddSingleton<SigningLinks>();
        services.AddSingleton<SigningEmails>();
        services.AddScoped<PageImages>();
        services.AddSingleton<Documents.PageRasterizer>();
        services.AddSingleton<EmailDelivery>();
        services.AddHostedService(sp => sp.GetRequiredService<EmailDelivery>());
        services.AddSingleton<FinalizeSignatureRequest>();
        services.AddSingleton<SigningScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<SigningScheduler>());
        services.AddScoped<SignerAccessResolver>();
        services.AddScoped<SigningActions>();
        return builder;
    }
}
