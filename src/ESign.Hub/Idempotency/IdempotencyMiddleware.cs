using System.Security.Cryptography;
using System.Text;
using ESign.Hub.Auth;
using ESign.Hub.Storage;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Idempotency;

/// <summary>
/// Makes every POST safe to retry. The first request with an <c>Idempotency-Key</c> claims the key (a row, so the claim
/// holds across hub processes); its response is stored and replayed to retries with the same body for 24 hours.
/// The same key with another body is a client bug and answers 422; a retry while the first is running answers 409.
/// Server errors release the key so the retry runs again.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next)
{
    public const string Header = "Idempotency-Key";
    /// <summary>
    /// After this a claim without a response is taken for one its process left when it died. Uploads, renders and most
    /// workflow starts take seconds; a workflow that makes many slow HTTP calls in one pass could take longer, and a retry
    /// after this long would run it again.
    /// </summary>
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(15);

    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    public async Task InvokeAsync(HttpContext http, TenantScope tenant, IServiceScopeFactory scopes, SecretBox box, TimeProvider clock)
    {
        if (!HttpMethods.IsPost(http.Request.Method) || tenant.Caller is not { } caller
            || http.Request.Headers[Header].FirstOrDefault() is not { } key)
        {
            await next(http);
            return;
        }
        if (key.Length is 0 or > 255)
        {
            await Problem(http, 400, "The Idempotency-Key header must be 1 to 255 characters.");
            return;
        }

        var hash = await HashRequestAsync(http.Request);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Caller = caller;

        var claim = await ClaimAsync(db, caller.AccountId, caller.TestMode, key, hash, now);
        if (claim is not null)
        {
            await RespondToRetryAsync(http, claim, hash, box);
            return;
        }

        var original = http.Response.Body;
        using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        var stored = false;
        try
        {
            await next(http);
            if (http.Response.StatusCode < 500)
            {
                // Values go in through closures (r => status), which EF turns into parameters: one cached query, not one per call.
                // Encrypted: a creation response may carry a secret shown only once (an API key, a client or webhook secret).
                var (status, contentType, location, body) =
                    (http.Response.StatusCode, http.Response.ContentType, http.Response.Headers.Location.ToString(), box.Seal(buffer.ToArray()));
                await db.WriteAsync(() => db.IdempotencyRecords.Where(r => r.AccountId == caller.AccountId && r.Key == key)
                    .ExecuteUpdateAsync(u => u
                        .SetProperty(r => r.StatusCode, r => status)
                        .SetProperty(r => r.ContentType, r => contentType)
                        .SetProperty(r => r.Location, r => location)
                        .SetProperty(r => r.Body, r => body), CancellationToken.None));
                stored = true;
            }
        }
        finally
        {
            if (!stored)
                await db.WriteAsync(() => db.IdempotencyRecords.Where(r => r.AccountId == caller.AccountId && r.Key == key).ExecuteDeleteAsync(CancellationToken.None));
            http.Response.Body = original;
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(original, http.RequestAborted);
    }

    /// <summary>Claims the key for this request; returns the existing record when someone already holds it.</summary>
    private static async Task<IdempotencyRecord?> ClaimAsync(HubDbContext db, string accountId, bool testMode, string key, string hash, DateTime now)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var existing = await db.IdempotencyRecords.AsNoTracking().FirstOrDefaultAsync(r => r.AccountId == accountId && r.Key == key);
            // A claim still "running" long after any request could take was left by a process that died mid-request:
            // the retry runs the request instead of being told to wait for 24 hours.
            var abandonedBefore = now - AbandonedAfter;
            if (existing is not null && existing.ExpiresAt > now && !(existing.StatusCode == 0 && existing.CreatedAt < abandonedBefore)) return existing;
            if (existing is not null)
                await db.WriteAsync(() => db.IdempotencyRecords.Where(r => r.AccountId == accountId && r.Key == key
                    && (r.ExpiresAt <= now || (r.StatusCode == 0 && r.CreatedAt < abandonedBefore))).ExecuteDeleteAsync());

            db.IdempotencyRecords.Add(new IdempotencyRecord
            {
                AccountId = accountId, TestMode = testMode, Key = key, RequestHash = hash, StatusCode = 0, CreatedAt = now, ExpiresAt = now + Lifetime,
            });
            try
            {
                await db.SaveChangesAsync();
                db.ChangeTracker.Clear();
                return null;
            }
            catch (DbUpdateException)
            {
                // Another request claimed the key between our read and insert: read theirs.
                db.ChangeTracker.Clear();
            }
        }
        throw new InvalidOperationException($"Could not claim Idempotency-Key '{key}'.");
    }

    private static async Task RespondToRetryAsync(HttpContext http, IdempotencyRecord record, string hash, SecretBox box)
    {
        if (!CryptographicOperations.FixedTimeEquals(Convert.FromHexString(record.RequestHash), Convert.FromHexString(hash)))
        {
            await Problem(http, 422, "This Idempotency-Key was already used with a different request. Use a new key for a new request.");
            return;
        }
        if (record.StatusCode == 0)
        {
            http.Response.Headers.RetryAfter = "1";
            await Problem(http, 409, "The first request with this Idempotency-Key is still running. Retry in a moment.");
            return;
        }
        http.Response.StatusCode = record.StatusCode;
        if (record.ContentType is not null) http.Response.ContentType = record.ContentType;
        if (!string.IsNullOrEmpty(record.Location)) http.Response.Headers.Location = record.Location;
        http.Response.Headers["Idempotent-Replayed"] = "true";
        if (record.Body is { Length: > 0 }) await http.Response.Body.WriteAsync(box.Unseal(record.Body));
    }

    /// <summary>
    /// Hashes what the request means: method, path and body. A multipart body is hashed by its fields and files, not its
    /// bytes, because clients pick a new random boundary for every attempt.
    /// </summary>
    private static async Task<string> HashRequestAsync(HttpRequest request)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
            foreach (var field in form.OrderBy(f => f.Key, StringComparer.Ordinal))
                sha.AppendData(Encoding.UTF8.GetBytes($"{field.Key}={field.Value}\n"));
            foreach (var file in form.Files.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                sha.AppendData(Encoding.UTF8.GetBytes($"{file.Name};{file.FileName};{file.Length}\n"));
                await using var content = file.OpenReadStream();
                await AppendAsync(sha, content, request.HttpContext.RequestAborted);
            }
        }
        else
        {
            request.EnableBuffering();
            await AppendAsync(sha, request.Body, request.HttpContext.RequestAborted);
            request.Body.Position = 0;
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static async Task AppendAsync(IncrementalHash sha, Stream stream, CancellationToken ct)
    {
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0) sha.AppendData(chunk, 0, read);
    }

    private static Task Problem(HttpContext http, int status, string detail) =>
        Results.Problem(statusCode: status, detail: detail).ExecuteAsync(http);
}
