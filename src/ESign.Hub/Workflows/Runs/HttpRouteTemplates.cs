using ESign.Hub.Storage;
using ESign.Hub.Workflows.Definitions;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Workflows.Runs;

/// <summary>
/// The published HTTP triggers whose path is a route template (<c>users/{userId}</c>), parsed once and kept in memory:
/// the anonymous trigger endpoint must not read and parse every account's templates for each request nobody answers.
/// Publishing in this process drops the copy at once; another hub process sees a publish within <see cref="MaxAge"/>
/// (until then it answers 404 at the new template), and a template matched from a stale copy is checked to still be
/// published before it starts anything.
/// </summary>
public sealed class HttpRouteTemplates
{
    /// <summary>How long a copy serves before the next request reads the templates again (other processes' publishes).</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(2);

    private sealed record Template(WorkflowTrigger Trigger, TemplateMatcher Matcher);

    private sealed record Snapshot(IReadOnlyList<Template> Templates, long LoadedAt);

    private Snapshot? _snapshot;
    private long _generation;

    /// <summary>Drops the copy: the next request reads the templates again. Call after a publish commits.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        Volatile.Write(ref _snapshot, null);
    }

    /// <summary>
    /// The trigger whose template matches the path, with the route values. Templates are ranked as ASP.NET routing ranks
    /// them: segment by segment, a literal before a parameter (publishing refuses two templates that match the same path,
    /// so the rank only matters for rows published in a race). Literal segments match in any case; values keep theirs.
    /// </summary>
    public async Task<(WorkflowTrigger Trigger, Dictionary<string, object?> RouteData)?> MatchAsync(HubDbContext db, string path, CancellationToken ct)
    {
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot is null || Environment.TickCount64 - snapshot.LoadedAt > (long)MaxAge.TotalMilliseconds)
            snapshot = await LoadAsync(db, ct);
        var requested = new PathString("/" + path.Trim().Trim('/'));
        foreach (var template in snapshot.Templates)
        {
            var values = new RouteValueDictionary();
            if (!template.Matcher.TryMatch(requested, values)) continue;
            return (template.Trigger, values.ToDictionary(v => v.Key,
                v => (object?)Convert.ToString(v.Value, System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal));
        }
        return null;
    }

    private async Task<Snapshot> LoadAsync(HubDbContext db, CancellationToken ct)
    {
        // A publish that commits while this reads must not be hidden behind the copy this read makes.
        var generation = Interlocked.Read(ref _generation);
        var rows = await db.WorkflowTriggers.IgnoreQueryFilters().AsNoTracking()
            .Where(t => t.Kind == ActivityTrigger.Http && t.Key.Contains("{")).ToListAsync(ct);
        var templates = rows
            .Select(t => new Template(t, new TemplateMatcher(TemplateParser.Parse(t.Key), new RouteValueDictionary())))
            .OrderBy(t => t.Trigger.Key, Precedence).ThenBy(t => t.Trigger.Id, StringComparer.Ordinal)
            .ToList();
        var snapshot = new Snapshot(templates, Environment.TickCount64);
        if (Interlocked.Read(ref _generation) == generation) Volatile.Write(ref _snapshot, snapshot);
        return snapshot;
    }

    /// <summary>ASP.NET's route precedence for plain templates: compared segment by segment, a literal segment first.</summary>
    private static readonly Comparer<string> Precedence = Comparer<string>.Create((a, b) =>
    {
        var (x, y) = (a.Split('/'), b.Split('/'));
        for (var i = 0; i < Math.Min(x.Length, y.Length); i++)
        {
            var order = x[i].StartsWith('{').CompareTo(y[i].StartsWith('{'));
            if (order != 0) return order;
        }
        return y.Length.CompareTo(x.Length);
    });
}
