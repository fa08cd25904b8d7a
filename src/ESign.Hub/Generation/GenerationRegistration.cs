namespace ESign.Hub.Generation;

public static class GenerationRegistration
{
    /// <summary>
    /// Document generation: <see cref="TemplateRenderer"/> (Scriban, sandboxed) and <see cref="PdfRenderer"/> (Chromium),
    /// both singletons, with <see cref="GenerationOptions"/> from <c>Hub:Generation</c>. Chromium starts with the host.
    /// </summary>
    public static WebApplicationBuilder AddDocumentGeneration(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<GenerationOptions>().BindConfiguration(GenerationOptions.Section)
            // Hub:Chromium:Path is the documented name; Hub:Generation:ChromiumPath is kept beside it.
            .Configure<IConfiguration>((o, configuration) =>
            {
                if (configuration["Hub:Chromium:Path"] is { Length: > 0 } path) o.ChromiumPath = path;
            })
            .ValidateDataAnnotations()
            .Validate(o => File.Exists(o.ChromiumPath),
                "Chromium was not found at Hub:Chromium:Path (default /usr/lib/chromium/chromium-headless-shell). Install Debian's chromium-headless-shell package (bash src/run-hub.sh does) or set the path.")
            .ValidateOnStart();
        services.AddSingleton<TemplateRenderer>();
        services.AddSingleton<PdfRenderer>();
        services.AddHostedService<ChromiumWarmUp>();
        services.AddScoped<GenerateDocument>();
        return builder;
    }

    /// <summary>Launches Chromium in the background at startup so the first document does not pay for it.</summary>
    private sealed class ChromiumWarmUp(PdfRenderer renderer, ILogger<ChromiumWarmUp> logger) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                await renderer.WarmUpAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Not fatal: the first render tries again and reports the error to its caller.
                logger.LogWarning(e, "Chromium could not be started ahead of the first document.");
            }
        }
    }
}
