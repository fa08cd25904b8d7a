using System.Text.Json;
using ESign.Hub.Storage;
using ESign.Hub.Workflows.Runtime;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Workflows.Runs;

/// <summary>
/// Commits a pass: the run's state and status, its new journal entries, the bookmark rows others resume, the events it
/// published and its workflow_run webhooks, in one transaction. Whatever happens after a commit, a restart continues
/// from it.
/// </summary>
public sealed class RunCommits(RunResumes resumes, WorkflowRunEvents events, WorkflowSignal signal, TimeProvider clock, IOptions<WorkflowOptions> options)
{
    /// <summary>Largest run state kept (JSON characters); beyond it the run faults.</summary>
    public const int MaxStateChars = 8 * 1024 * 1024;

    /// <summary>Largest inputs or outputs one journal entry keeps (JSON characters); larger ones are replaced by a note.</summary>
    public const int MaxJournalValueChars = 64 * 1024;

    /// <param name="persisted">The run's bookmark rows as this pass knows them; the commit makes them follow the state.</param>
    public async Task CommitAsync(HubDbContext db, WorkflowRun run, RunSession session, RunStatus status,
        Dictionary<string, WorkflowBookmark> persisted, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var state = session.State;
        run.State = state.ToJson();
        if (run.State.Length > MaxStateChars)
        {
            // A definition that piles data into variables must not grow a row without bound. The run cannot go on without
            // its data, so it faults with an incident and keeps nothing else; the runner sees the fault and stops.
            var last = session.Journal.LastOrDefault();
            state.Variables.Clear();
            state.Outputs.Clear();
            state.Scheduled.Clear();
            state.Bookmarks.Clear();
            state.Fault = new WorkflowFault(last?.ActivityId ?? "", last?.ActivityType ?? "",
                $"the run's data grew beyond {MaxStateChars / (1024 * 1024)} M characters (variables and activity outputs); keep documents and large " +
                "payloads out of variables and pass their ids instead", 1);
            status = RunStatus.Faulted;
            run.State = state.ToJson();
        }
        // Elsa.Correlate changed the run's correlation id: events for the new one resume it from now on.
        if (state.CorrelationId is { } correlation) run.CorrelationId = correlation;
        run.UpdatedAt = now;
        run.Status = status switch
        {
            RunStatus.Completed => WorkflowRunStatus.Completed,
            RunStatus.Faulted => WorkflowRunStatus.Faulted,
            RunStatus.Suspended => WorkflowRunStatus.Suspended,
            _ => WorkflowRunStatus.Running,
        };
        switch (status)
        {
            case RunStatus.Completed or RunStatus.Faulted:
                run.FinishedAt = now;
                run.RunnableAt = null;
                run.LeaseOwner = null;
                run.LeaseUntil = null;
                run.FaultActivityId = state.Fault?.ActivityId;
                run.FaultMessage = state.Fault?.Message;
                break;
            case RunStatus.Suspended:
                // Timers (and retries) wake the run at their due time; events wake it by setting RunnableAt themselves.
                run.RunnableAt = state.Bookmarks.Where(b => b.DueAt is not null).Select(b => b.DueAt).Min();
                break;
            default:
                // A commit point mid-pass: if this process dies now, another worker continues once the lease expires.
                run.RunnableAt = now;
                run.LeaseUntil = now + options.Value.Lease;
                break;
        }

        foreach (var entry in session.Journal)
            db.WorkflowJournal.Add(ToRow(run, entry));
        SyncBookmarks(db, run, state, status, persisted, now);
        var notified = status is RunStatus.Completed or RunStatus.Faulted && await events.AddRunFinishedAsync(db, run, now, ct);

        // Child runs this pass started are due once stored, and a child that ends lets its waiting parent go on: either
        // way the worker should look now rather than at its next poll.
        var wakeWorker = (status is RunStatus.Completed or RunStatus.Faulted && run.Trigger == Children.ChildRuns.Trigger)
            || db.ChangeTracker.Entries<WorkflowRun>().Any(e => e.State == Microsoft.EntityFrameworkCore.EntityState.Added && e.Entity.Id != run.Id);

        var published = session.PublishedEvents.ToList();
        if (published.Count == 0)
        {
            await db.SaveChangesAsync(ct);
            if (wakeWorker) signal.Raise();
        }
        else
        {
            await db.WriteAsync(async () =>
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                await db.SaveChangesAsync(ct);
                foreach (var e in published)
                    await resumes.DeliverEventAsync(db, run.AccountId, run.TestMode, e.Name, e.CorrelationId, e.Payload, now, ct,
                        [.. session.State.EventLineage, run.DefinitionId]);
                await tx.CommitAsync(ct);
                return 0;
            });
            signal.Raise();
        }
        session.Journal.Clear();
        session.PublishedEvents.Clear();
        if (notified) events.Wake();
    }

    /// <summary>Bookmarks that others resume are rows; the rows follow the state (added when it waits, removed once resumed or dropped).</summary>
    private static void SyncBookmarks(HubDbContext db, WorkflowRun run, WorkflowState state, RunStatus status,
        Dictionary<string, WorkflowBookmark> persisted, DateTime now)
    {
        var live = status is RunStatus.Completed or RunStatus.Faulted
            ? []
            : state.Bookmarks.Where(b => b.IsExternal).ToDictionary(b => b.Id);
        foreach (var (id, row) in persisted.Where(p => !live.ContainsKey(p.Key)).ToList())
        {
            db.WorkflowBookmarks.Remove(row);
            persisted.Remove(id);
        }
        foreach (var bookmark in live.Values.Where(b => !persisted.ContainsKey(b.Id)))
        {
            var row = NewBookmarkRow(run, bookmark, now);
            db.WorkflowBookmarks.Add(row);
            persisted[row.Id] = row;
        }
    }

    /// <summary>The row that lets whatever the bookmark waits for find it by name and key.</summary>
    public static WorkflowBookmark NewBookmarkRow(WorkflowRun run, Bookmark bookmark, DateTime now) => new()
    {
        Id = bookmark.Id, AccountId = run.AccountId, TestMode = run.TestMode, RunId = run.Id, ActivityId = bookmark.ActivityId,
        Name = bookmark.Name, Key = bookmark.Key,
        Payload = bookmark.Payload is null ? null : JsonSerializer.Serialize(bookmark.Payload, StateJson.Options),
        CreatedAt = now,
    };

    private static string JournalJson(Dictionary<string, object?> values)
    {
        var json = JsonSerializer.Serialize(values, StateJson.Options);
        // A loop that moves megabytes per step would otherwise write them once per step into the journal.
        return json.Length <= MaxJournalValueChars ? json
            : JsonSerializer.Serialize(new Dictionary<string, object?> { ["_truncated"] = $"{json.Length:N0} characters, more than the journal keeps" });
    }

    private static WorkflowJournalEntry ToRow(WorkflowRun run, JournalEntry entry) => new()
    {
        RunId = run.Id,
        Sequence = entry.Sequence,
        AccountId = run.AccountId,
        TestMode = run.TestMode,
        ActivityId = entry.ActivityId,
        ActivityType = entry.ActivityType,
        ActivityName = entry.ActivityName,
        Outcome = entry.Outcome,
        Inputs = JournalJson(entry.Inputs),
        Outputs = JournalJson(entry.Outputs),
        Error = entry.Error,
        Attempt = entry.Attempt,
        StartedAt = entry.StartedAt,
        FinishedAt = entry.FinishedAt,
    };
}
