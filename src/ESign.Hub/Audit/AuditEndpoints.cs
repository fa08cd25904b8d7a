using ESign.Hub.Auth;
using ESign.Hub.Hosting;
using ESign.Hub.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Audit;

public sealed record AuditEventResponse(
    string Id, string? CredentialId, string Method, string Route, string Path, int StatusCode, string? IpAddress, string? UserAgent,
    DateTime OccurredAt, double DurationMs);

public static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/audit-events", ListAuditEvents).WithTags("Audit").WithName("ListAuditEvents")
            .WithSummary("Every API call of this account, newest first (limit, starting_after, credential_id)")
            .RequireScope(Scopes.Admin).ProducesAuthProblems().ProducesProblems(400);
        return app;
    }

    private static async Task<Results<Ok<ListResponse<AuditEventResponse>>, ProblemHttpResult>> ListAuditEvents(
        HttpRequest http, HubDbContext db, AuditLog log, CancellationToken ct)
    {
        var limit = 50;
        if (http.Query["limit"].FirstOrDefault() is { } limitText && (!int.TryParse(limitText, out limit) || limit is < 1 or > 500))
            return Problems.BadRequest("limit must be a number from 1 to 500.");
        await log.FlushAsync(ct);
        var events = db.AuditEvents.AsNoTracking();
        if (http.Query["credential_id"].FirstOrDefault() is { } credential)
            events = events.Where(e => e.CredentialId == credential);
        if (http.Query["starting_after"].FirstOrDefault() is { } cursor)
            events = events.Where(e => string.Compare(e.Id, cursor) < 0);
        var page = await events.OrderByDescending(e => e.Id).Take(limit + 1).ToListAsync(ct);
        var hasMore = page.Count > limit;
        if (hasMore) page.RemoveAt(limit);
        return TypedResults.Ok(new ListResponse<AuditEventResponse>(
            page.Select(e => new AuditEventResponse(e.Id, e.CredentialId, e.Method, e.Route, e.Path, e.StatusCode, e.IpAddress, e.UserAgent, e.OccurredAt, e.DurationMs)).ToList(),
            hasMore, hasMore ? page[^1].Id : null));
    }
}
