using System.Globalization;
using System.Threading.RateLimiting;
using ESign.Hub.Auth;
using ESign.Hub.Hosting;
using ESign.Hub.Workflows.Runtime.Activities;
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
        var trigger = settings.AnonymousTrigger;
        if (trigger.PermitsPerSecondPerClient < 1 || trigger.PermitsPerSecondPerPath < 1)
            throw new InvalidOperationException("Hub:RateLimit:AnonymousTrigger:PermitsPerSecondPerClient and …PerPath must be at least 1.");

        builder.Services.AddRateLimiter(o =>
        {
            var perCredential = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                var caller = http.RequestServices.GetRequiredService<TenantScope>().Caller;
                var partition = caller?.CredentialId ?? "ip:" + http.Connection.RemoteIpAddress;
                return RateLimitPartition.GetTokenBucketLimiter(partition, _ => Bucket(settings.PermitsPerSecond, settings.Burst));
            });
            // Anonymous workflow HTTP triggers serve anyone on the internet: each client and each path gets a smaller bucket
            // of its own, so one caller cannot start runs without end and one hot path cannot starve the others.
            var triggerPerClient = PartitionedRateLimiter.Create<HttpContext, string>(http => IsAnonymousTrigger(http)
                ? RateLimitPartition.GetTokenBucketLimiter("ip:" + http.Connection.RemoteIpAddress,
                    _ => Bucket(trigger.PermitsPerSecondPerClient, trigger.PermitsPerSecondPerClient * 2))
                : RateLimitPartition.GetNoLimiter(""));
            var triggerPerPath = PartitionedRateLimiter.Create<HttpContext, string>(http => IsAnonymousTrigger(http)
                ? RateLimitPartition.GetTokenBucketLimiter("path:" + TriggerPath(http),
                    _ => Bucket(trigger.PermitsPerSecondPerPath, trigger.PermitsPerSecondPerPath * 2))
                : RateLimitPartition.GetNoLimiter(""));
            // The client's bucket before the path's: a flooding client is stopped by its own bucket before it can use up the
            // path's, which every other caller of that path shares.
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(perCredential, triggerPerClient, triggerPerPath);
            o.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                var detail = IsAnonymousTrigger(http)
                    ? $"Workflow HTTP triggers take {trigger.PermitsPerSecondPerClient} requests per second from one client and " +
                      $"{trigger.PermitsPerSecondPerPath} per path. Retry after the Retry-After header's seconds."
                    : $"This credential may send {settings.PermitsPerSecond} requests per second (bursts of {settings.Burst}). Retry after the Retry-After header's seconds.";
                await Results.Problem(statusCode: 429, title: "Too many requests", detail: detail).ExecuteAsync(http);
            };
        });
        return builder;

        // Refill in small steps so the rate is smooth rather than a new burst every second.
        static TokenBucketRateLimiterOptions Bucket(int permitsPerSecond, int burst)
        {
            const int stepsPerSecond = 20;
            var tokensPerStep = Math.Max(1, permitsPerSecond / stepsPerSecond);
            return new TokenBucketRateLimiterOptions
            {
                TokenLimit = burst,
                TokensPerPeriod = tokensPerStep,
                ReplenishmentPeriod = TimeSpan.FromSeconds((double)tokensPerStep / permitsPerSecond),
                QueueLimit = 0,
                AutoReplenishment = true,
            };
        }
    }

    private static bool IsAnonymousTrigger(HttpContext http) => http.Request.Path.StartsWithSegments("/workflows/http");

    /// <summary>The trigger path as the endpoint matches it, so "orders/", "orders//" and "Orders" share one bucket.</summary>
    private static string TriggerPath(HttpContext http)
    {
        http.Request.Path.StartsWithSegments("/workflows/http", out var rest);
        return HttpPaths.Normalize(Uri.UnescapeDataString(rest.Value ?? ""));
    }
}
