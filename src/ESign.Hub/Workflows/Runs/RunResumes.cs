using System.Text.Json;
using ESign.Hub.Storage;
using ESign.Hub.Workflows.Definitions;
using ESign.Hub.Workflows.Runtime;
using ESign.Hub.Workflows.Runtime.Activities;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Workflows.Runs;

/// <summary>
/// Bookmarks and events. A bookmark is resumed the same way whatever it waits for (an event, a signature request, an
/// HTTP request, a connector's callback): the resume claims its row (<see cref="WorkflowBookmark.ResumedAt"/> from null,
/// so once), stores what resumed it, and makes the run runnable; the run's next pass hands that payload to the activity.
/// </summary>
public sealed class RunResumes(RunFactory factory, TimeProvider clock)
{
    /// <summary>
    /// Claims a bookmark for this resume (false if another resume got it first, or if it is not <paramref name="runId"/>'s
    /// or not named <paramref name="name"/>) and makes its run runnable.
    /// </summary>
    /// <param name="name">The bookmark name the resumer may end (a bookmark source's); null when the caller found the row itself.</param>
    public Task<bool> ResumeBookmarkAsync(HubDbContext db, string bookmarkId, string runId, string payloadJson, DateTime now, CancellationToken ct,
        string? name = null) =>
        // Both writes or neither: a claimed bookmark whose run is not runnable would never wake the run.
        db.WriteAsync(async () =>
        {
            var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
            try
            {
                var claimed = await db.WorkflowBookmarks.IgnoreQueryFilters().Where(b => b.Id == bookmarkId && b.ResumedAt == null && b.RunId == runId && (name == null || b.Name == name))
                    .ExecuteUpdateAsync(u => u.SetProperty(b => b.ResumedAt, b => now).SetProperty(b => b.ResumePayload, b => payloadJson), ct);
                if (claimed > 0)
                    await db.WorkflowRuns.IgnoreQueryFilters().Where(r => r.Id == runId)
                        .ExecuteUpdateAsync(u => u.SetProperty(r => r.RunnableAt, r => now), ct);
                if (own is not null) await own.CommitAsync(ct);
                return claimed > 0;
            }
            finally
            {
                if (own is not null) await own.DisposeAsync();
            }
        });

    /// <summary>
    /// Resumes the account's runs waiting for the event and starts the published workflows it triggers, in the caller's
    /// transaction. Returns the ids of the runs it made runnable or created.
    /// </summary>
    /// <param name="lineage">When a run published the event: its lineage and its own definition id, which the runs it starts inherit.</param>
    public async Task<List<string>> DeliverEventAsync(HubDbContext db, string accountId, bool testMode, string name, string? correlationId,
        Dictionary<string, object?> payload, DateTime now, CancellationToken ct, IReadOnlyList<string>? lineage = null)
    {
        var body = JsonSerializer.Serialize(payload, StateJson.Options);
        // Test-mode events reach test-mode runs only (and live events live runs), as with keys and webhooks.
        var bookmarks = db.WorkflowBookmarks.IgnoreQueryFilters()
            .Where(b => b.AccountId == accountId && b.TestMode == testMode && b.Name == EventActivity.BookmarkName && b.Key == name && b.ResumedAt == null);
        // With a correlation id, only the runs started with it (the deal's run, not every run waiting on the event name).
        if (correlationId is not null)
            bookmarks = bookmarks.Where(b => db.WorkflowRuns.IgnoreQueryFilters().Any(r => r.Id == b.RunId && r.CorrelationId == correlationId));
        // Always in the same order, so two publishes that resume the same runs cannot deadlock on PostgreSQL.
        var waiting = await bookmarks.OrderBy(b => b.RunId).ThenBy(b => b.Id).Select(b => new { b.Id, b.RunId }).ToListAsync(ct);
        var runIds = new List<string>();
        foreach (var bookmark in waiting)
        {
            if (await ResumeBookmarkAsync(db, bookmark.Id, bookmark.RunId, body, now, ct)) runIds.Add(bookmark.RunId);
        }

        var triggers = await db.WorkflowTriggers.IgnoreQueryFilters().AsNoTracking()
            .Where(t => t.AccountId == accountId && t.Kind == ActivityTrigger.Event && t.Key == name && t.TestMode == testMode).ToListAsync(ct);
        foreach (var trigger in triggers)
        {
            var version = await db.Workflows.IgnoreQueryFilters().AsNoTracking().FirstAsync(w => w.Id == trigger.WorkflowVersionId, ct);
            var run = factory.NewRun(new RunStart(version, [], ActivityTrigger.Event, trigger.ActivityId,
                new Dictionary<string, object?> { ["payload"] = payload.GetValueOrDefault("payload"), ["correlationId"] = correlationId },
                correlationId, EventLineage: lineage), now);
            db.WorkflowRuns.Add(run);
            runIds.Add(run.Id);
        }
        if (triggers.Count > 0) await db.SaveChangesAsync(ct);
        return runIds;
    }

    /// <summary>Bookmarks resumed from outside (events, signature outcomes, HTTP requests) and timers that are due.</summary>
    /// <param name="persisted">The pass's bookmark rows; rows resumed since the pass began join it, so its commit deletes them.</param>
    /// <param name="timers">False while a pass goes on after waiting: timers (a Delay of 0 in a loop) wait for the worker, so a pass ends.</param>
    public async Task<List<Resumption>> ResumptionsAsync(HubDbContext db, WorkflowRun run, WorkflowState state, CancellationToken ct,
        Dictionary<string, WorkflowBookmark>? persisted = null, bool timers = true)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        // Read untracked: a row this pass already tracks would come back as the tracked copy, without the resume's payload.
        var resumed = await db.WorkflowBookmarks.AsNoTracking().Where(b => b.RunId == run.Id && b.ResumedAt != null)
            .OrderBy(b => b.ResumedAt).ToListAsync(ct);
        var resumptions = new List<Resumption>();
        foreach (var row in resumed)
        {
            if (persisted is not null && !persisted.ContainsKey(row.Id))
            {
                db.WorkflowBookmarks.Attach(row);
                persisted[row.Id] = row;
            }
            if (state.Bookmarks.FirstOrDefault(b => b.Id == row.Id) is { } bookmark)
                resumptions.Add(new Resumption(bookmark, ReadPayload(row.ResumePayload)));
        }
        if (timers)
            foreach (var timer in state.Bookmarks.Where(b => b.DueAt <= now).OrderBy(b => b.DueAt))
                resumptions.Add(new Resumption(timer, new Dictionary<string, object?>()));
        return resumptions;
    }

    private static IReadOnlyDictionary<string, object?> ReadPayload(string? json) =>
        string.IsNullOrEmpty(json) ? new Dictionary<string, object?>()
            : JsonSerializer.Deserialize<Dictionary<string, object?>>(json, StateJson.Options) ?? [];
}

/// <summary>
/// Something outside the runs that ends waits: every worker pass asks each registered source which waiting bookmarks
/// it can resume now and with what. Sources compare state (a request's status), not a stream of events, so nothing is
/// missed across restarts and a bookmark made after the fact still sees it. A module adds one with
/// <c>services.AddSingleton&lt;IBookmarkSource, …&gt;()</c>.
/// </summary>
public interface IBookmarkSource
{
    /// <summary>The bookmark name whose waits this source ends (what the worker's log names).</summary>
    string BookmarkName { get; }

    /// <summary>Waiting bookmarks (any account) that can resume now, at most a batch of them.</summary>
    Task<IReadOnlyList<BookmarkResume>> FindResumableAsync(HubDbContext db, CancellationToken ct);
}

/// <summary>A bookmark a source can resume, with the payload the waiting activity gets.</summary>
public sealed record BookmarkResume(string BookmarkId, string RunId, Dictionary<string, object?> Payload);
