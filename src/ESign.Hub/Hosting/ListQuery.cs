using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ESign.Hub.Hosting;

/// <summary>The query parameters every newest-first list shares: created_after, created_before and limit.</summary>
public static class ListQuery
{
    /// <summary>The created_after/created_before window (UTC), or the problem that says which one is not a time.</summary>
    public static (DateTime? After, DateTime? Before, ProblemHttpResult? Problem) CreatedWindow(IQueryCollection query)
    {
        if (!TryTime(query["created_after"], out var after))
            return (null, null, Problems.BadRequest("created_after must be an ISO 8601 time, e.g. 2026-01-31T00:00:00Z."));
        if (!TryTime(query["created_before"], out var before))
            return (null, null, Problems.BadRequest("created_before must be an ISO 8601 time, e.g. 2026-01-31T00:00:00Z."));
        return (after, before, null);
    }

    private static bool TryTime(string? text, out DateTime? time)
    {
        time = null;
        if (string.IsNullOrEmpty(text)) return true;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) return false;
        time = parsed.UtcDateTime;
        return true;
    }
}
