using ESign.Hub.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Health;

public sealed record HealthResponse(string Status, [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Detail = null);

public static class HealthEndpoints
{
    /// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: the database answers and its schema is current.</summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new HealthResponse("ok"))).WithTags("Health").WithName("Liveness").AllowAnonymous().DisableRateLimiting();
        app.MapGet("/readyz", Readiness).WithTags("Health").WithName("Readiness").AllowAnonymous().DisableRateLimiting();
        return app;
    }

    private static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> Readiness(HubDbContext db, CancellationToken ct)
    {
        try
        {
            if (!await db.Database.CanConnectAsync(ct))
                return TypedResults.Json(new HealthResponse("unavailable", "The database does not answer."), statusCode: 503);
            var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
            if (pending.Count > 0)
                return TypedResults.Json(new HealthResponse("unavailable", $"{pending.Count} database migration(s) not applied yet."), statusCode: 503);
            return TypedResults.Ok(new HealthResponse("ok"));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return TypedResults.Json(new HealthResponse("unavailable", "The database does not answer: " + e.GetType().Name), statusCode: 503);
        }
    }
}
