using ESign.Hub.Auth;
using ESign.Hub.Hosting;
using ESign.Hub.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.SignatureRequests;

public static class SignatureRequestEndpoints
{
    public static IEndpointRouteBuilder MapSignatureRequestEndpoints(this IEndpointRouteBuilder app)
    {
        var requests = app.MapGroup("/v1/signature-requests").WithTags("Signature requests").ProducesAuthProblems();
        requests.MapPost("/", (CreateSignatureRequestBody body, CreateSignatureRequest handler, HttpContext http, CancellationToken ct) =>
                handler.HandleAsync(body, http, ct))
            .WithName("CreateSignatureRequest").WithSummary("Send a document (or template) for signature").ProducesProblems(400, 409, 422)
            .RequireScope(Scopes.SignatureRequestsWrite);
        requests.MapGet("/{id}", GetSignatureRequest).WithName("GetSignatureRequest")
            .WithSummary("A request with its signers, fields and event timeline").ProducesProblems(404)
            .RequireScope(Scopes.SignatureRequestsRead);
        requests.MapGet("/", ListSignatureRequests).WithName("ListSignatureRequests")
            .WithSummary("Requests, newest first. Filters: status, created_after, created_before, metadata[key]=value, metadata_key; pages: limit, starting_after").ProducesProblems(400)
            .RequireScope(Scopes.SignatureRequestsRead);
        requests.MapDelete("/{id}", CancelSignatureRequest).WithName("CancelSignatureRequest")
            .WithSummary("Cancel a pending or in-progress request; a finished one answers 409").ProducesProblems(404, 409)
            .RequireScope(Scopes.SignatureRequestsWrite);
        requests.MapPost("/{id}/retry-sealing", RetrySealing).WithName("RetrySealing")
            .WithSummary("Retry sealing a request whose sealing_incident shows it was given up; 409 when there is none")
            .ProducesProblems(404, 409)
            .RequireScope(Scopes.Admin);
        return app;
    }

    /// <summary>Resets the attempts and seals now; a new failure counts again (back-off, then a new incident).</summary>
    private static async Task<Results<Ok<SignatureRequestResponse>, ProblemHttpResult>> RetrySealing(
        string id, HubDbContext db, HttpContext http, TimeProvider clock, Signing.FinalizeSignatureRequest finalize, CancellationToken ct)
    {
        var request = await WithDetails(db).Include(r => r.Events).FirstOrDefaultAsync(r => r.Id == id, ct);
        if (request is null) return Problems.NotFound("signature request", id);
        if (request.SealingIncidentAt is null || !request.AwaitsSealing)
            return Problems.Conflict($"Signature request '{id}' has no sealing incident to retry.");
        var context = new RequestContext(clock.GetUtcNow().UtcDateTime, http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent.ToString());
        request.RetrySealing(context);
        await db.SaveChangesAsync(ct);
        await finalize.TryAsync(request.AccountId, request.Id, ct);
        var after = await WithDetails(db).Include(r => r.Events).AsNoTracking().FirstAsync(r => r.Id == id, ct);
        return TypedResults.Ok(SignatureRequestResponse.From(after, withEvents: true));
    }

    private static IQueryable<SignatureRequest> WithDetails(HubDbContext db) =>
        db.SignatureRequests.Include(r => r.Signers).Include(r => r.Fields).Include(r => r.Metadata).AsSplitQuery();

    private static async Task<Results<Ok<SignatureRequestResponse>, ProblemHttpResult>> GetSignatureRequest(
        string id, HubDbContext db, CancellationToken ct)
    {
        var request = await WithDetails(db).Include(r => r.Events).AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
        return request is null
            ? Problems.NotFound("signature request", id)
            : TypedResults.Ok(SignatureRequestResponse.From(request, withEvents: true));
    }

    private static async Task<Results<Ok<ListResponse<SignatureRequestResponse>>, ProblemHttpResult>> ListSignatureRequests(
        HttpRequest http, HubDbContext db, CancellationToken ct)
    {
        var query = http.Query;
        IQueryable<SignatureRequest> requests = WithDetails(db).AsNoTracking();

        if (query["status"].FirstOrDefault() is { } statusText)
        {
            var statuses = new List<SignatureRequestStatus>();
            foreach (var part in statusText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!Json.TryParseEnum<SignatureRequestStatus>(part, out var status))
                    return Problems.BadRequest($"Unknown status '{part}'. Use pending, in_progress, completed, declined, expired or canceled (comma-separated for several).");
                statuses.Add(status);
            }
            requests = requests.Where(r => statuses.Contains(r.Status));
        }
        var (after, before, timeProblem) = ListQuery.CreatedWindow(query);
        if (timeProblem is not null) return timeProblem;
        if (after is not null) requests = requests.Where(r => r.CreatedAt >= after);
        if (before is not null) requests = requests.Where(r => r.CreatedAt < before);

        foreach (var (name, values) in query.Where(q => q.Key.StartsWith("metadata[", StringComparison.Ordinal) && q.Key.EndsWith(']')))
        {
            var key = name["metadata[".Length..^1];
            var value = values.ToString();
            requests = requests.Where(r => r.Metadata.Any(m => m.Key == key && m.Value == value));
        }

        if (query["metadata_key"].FirstOrDefault() is { } metadataKey)
            requests = requests.Where(r => r.Metadata.Any(m => m.Key == metadataKey));

        var limit = 20;
        if (query["limit"].FirstOrDefault() is { } limitText && (!int.TryParse(limitText, out limit) || limit is < 1 or > 100))
            return Problems.BadRequest("limit must be a number from 1 to 100.");
        // Ids sort by creation time (ULIDs), so the cursor is simply the last id seen.
        if (query["starting_after"].FirstOrDefault() is { } cursor)
            requests = requests.Where(r => string.Compare(r.Id, cursor) < 0);

        var page = await requests.OrderByDescending(r => r.Id).Take(limit + 1).ToListAsync(ct);
        var hasMore = page.Count > limit;
        if (hasMore) page.RemoveAt(limit);
        return TypedResults.Ok(new ListResponse<SignatureRequestResponse>(
            page.Select(r => SignatureRequestResponse.From(r, withEvents: false)).ToList(), hasMore, hasMore ? page[^1].Id : null));
    }

    private static async Task<Results<Ok<SignatureRequestResponse>, ProblemHttpResult>> CancelSignatureRequest(
        string id, HubDbContext db, HttpContext http, TimeProvider clock, CancellationToken ct)
    {
        var request = await WithDetails(db).Include(r => r.Events).FirstOrDefaultAsync(r => r.Id == id, ct);
        if (request is null) return Problems.NotFound("signature request", id);
        var context = new RequestContext(clock.GetUtcNow().UtcDateTime, http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent.ToString());
        if (!request.TryCancel(context))
            return Problems.Conflict($"Signature request '{id}' is already {Json.EnumName(request.Status)} and cannot be canceled.");
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(SignatureRequestResponse.From(request, withEvents: true));
    }
}
