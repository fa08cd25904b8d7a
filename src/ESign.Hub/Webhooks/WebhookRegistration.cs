namespace ESign.Hub.Webhooks;

public static class WebhookRegistration
{
    /// <summary>Webhook endpoints, the dispatcher (timeline → deliveries) and the sender.</summary>
    public static WebApplicationBuilder AddWebhooks(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<WebhookOptions>().BindConfiguration("Hub:Webhooks")
            .Validate(o => TryDelays(o), "Hub:Webhooks:RetrySchedule must be a comma-separated list of durations such as 5s,1m,5m,30m,2h.")
            .Validate(o => o.TimeoutSeconds is > 0 and <= 60, "Hub:Webhooks:TimeoutSeconds must be 1 to 60.")
            .Validate(o => o.Concurrency is > 0 and <= 256, "Hub:Webhooks:Concurrency must be 1 to 256.")
            .ValidateOnStart();
        services.AddSingleton<WebhookSender>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookSender>());
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        return builder;
    }

    private static bool TryDelays(WebhookOptions options)
    {
        try
        {
            return options.Delays.Count > 0 && options.DisableAfterSpan > TimeSpan.Zero;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
