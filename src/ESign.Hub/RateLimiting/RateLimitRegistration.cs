using System.Globalization;
using System.Threading.RateLimiting;
using ESign.Hub.Auth;
using ESign.Hub.Hosting;
using Microsoft.AspNetCore.RateLimiting;

namespace ESign.Hub.RateLimiting;

public static class RateLimitRegistration
{
    /// <summary>
    /// A token bucket per credential (per client IP before authentication): <c>Hub:RateLimit:PermitsPerSecond</c>
    /// sustained, <c>Hub:RateLimit:Burst</c> at once. Over the limit: 429 with Retry-After.
    /// </summary>
    public static WebApplicationBuilder AddHubRateLimiting(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection($"{HubOptions.Section}:RateLimit").Get<RateLimitOptions>() ?? new RateLimitOptions();
        if (settings.PermitsPerSecond < 1 || settings.Burst < 1)
            throw new InvalidOperationException("Hub:RateLimit:PermitsPerSecond and Hub:RateLimit:Burst must be at least 1.");
        // Refill in small steps so the rate is smooth rather than a new burst every second.
        const int stepsPerSecond = 20;
        var tokensPerStep = Math.Max(1, settings.PermitsPerSecond / stepsPerSecond);
        var period = TimeSpan.FromSeconds((double)tokensPerStep / settings.PermitsPerSecond);

        builder.Services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                var caller = http.RequestServices.GetRequiredService<TenantScope>().Caller;
                var partition = caller?.CredentialId ?? "ip:" + http.Connection.RemoteIpAddress;
                return RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = settings.Burst,
                    TokensPerPeriod = tokensPerStep,
                    ReplenishmentPeriod = period,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            o.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: 429, title: "Too many requests",
                    detail: $"This credential may send {settings.PermitsPerSecond} requests per second (bursts of {settings.Burst}). Retry after the Retry-After header's seconds.")
                    .ExecuteAsync(http);
            };
        });
        return builder;
    }
}
