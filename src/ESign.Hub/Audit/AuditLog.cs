using System.Diagnostics;
using System.Threading.Channels;
using ESign.Hub.Auth;
using ESign.Hub.Hosting;
using ESign.Hub.Storage;

namespace ESign.Hub.Audit;

/// <summary>
/// Records every API call. Calls are queued in memory and written in batches by <see cref="AuditWriter"/>, so the audit
/// trail costs a request no database round trip; the queue is drained on shutdown.
/// </summary>
public sealed class AuditLog
{
    private readonly Channel<AuditEvent> _queue = Channel.CreateUnbounded<AuditEvent>(new() { SingleReader = true });
    private long _queued;
    private long _written;

    public void Record(AuditEvent entry)
    {
        Interlocked.Increment(ref _queued);
        _queue.Writer.TryWrite(entry);
    }

    internal ChannelReader<AuditEvent> Reader => _queue.Reader;

    internal void MarkWritten(int count) => Interlocked.Add(ref _written, count);

    internal void Complete() => _queue.Writer.TryComplete();

    /// <summary>Waits (briefly) until everything recorded so far is in the database, so a read sees its own calls.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        var target = Interlocked.Read(ref _queued);
        var deadline = Stopwatch.StartNew();
        while (Interlocked.Read(ref _written) < target && deadline.Elapsed < TimeSpan.FromSeconds(5))
            await Task.Delay(5, ct);
    }
}

/// <summary>Writes queued audit events in batches of up to 500.</summary>
public sealed class AuditWriter(AuditLog log, IServiceScopeFactory scopes, ILogger<AuditWriter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditEvent>(500);
        try
        {
            while (await log.Reader.WaitToReadAsync(stoppingToken))
                await DrainAsync(batch);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        // Shutting down: keep what is already queued.
        await DrainAsync(batch);
    }

    private async Task DrainAsync(List<AuditEvent> batch)
    {
        while (true)
        {
            batch.Clear();
            while (batch.Count < 500 && log.Reader.TryRead(out var entry)) batch.Add(entry);
            if (batch.Count == 0) return;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
                db.AuditEvents.AddRange(batch);
                await db.SaveChangesAsync(CancellationToken.None);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Could not write {Count} audit events", batch.Count);
            }
            log.MarkWritten(batch.Count);
        }
    }
}

/// <summary>Notes each call to <c>/v1</c> and <c>/oauth</c> once the response is known.</summary>
public sealed class AuditMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext http, AuditLog log, TenantScope tenant, TimeProvider clock)
    {
        var path = http.Request.Path;
        if (!path.StartsWithSegments("/v1") && !path.StartsWithSegments("/oauth"))
        {
            await next(http);
            return;
        }
        var started = Stopwatch.GetTimestamp();
        var status = 500;
        try
        {
            await next(http);
            status = http.Response.StatusCode;
        }
        finally
        {
            var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? path.Value ?? "";
            log.Record(new AuditEvent
            {
                Id = Ids.New("aud"),
                AccountId = tenant.Caller?.AccountId,
                // A call is seen by admins of its credential's mode only, like everything the call touched.
                TestMode = tenant.Caller?.TestMode ?? false,
                CredentialId = tenant.Caller?.CredentialId,
                Method = http.Request.Method,
                Route = route,
                Path = Truncate(SigningUrlRedaction.Redact(path.Value ?? ""), 500),
                StatusCode = status,
                IpAddress = http.Connection.RemoteIpAddress?.ToString(),
                UserAgent = Truncate(http.Request.Headers.UserAgent.ToString(), 500),
                OccurredAt = clock.GetUtcNow().UtcDateTime,
                DurationMs = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3),
            });
        }
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}
