using ESign.Hub.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Workflows.Runs;

/// <summary>
/// Claiming runs and holding their leases. A run executes only while one worker holds its lease (<see cref="WorkflowRun.LeaseOwner"/>
/// until <see cref="WorkflowRun.LeaseUntil"/>); every claim writes a new <see cref="WorkflowRun.LeaseToken"/>, which fences
/// the commits of a worker whose lease was taken over. How runs are claimed lives here alone, so scale-out work can change
/// it without touching how a pass commits.
/// </summary>
public sealed class RunLeases(IServiceScopeFactory scopes, TimeProvider clock, IOptions<WorkflowOptions> options, ILogger<RunLeases> logger)
{
    /// <summary>Names this process in leases.</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    public static string NewToken() => Guid.NewGuid().ToString("N");

    /// <summary>Claims up to <paramref name="max"/> runs that are due (started, resumed, timer due, or orphaned by a dead worker); returns the claim and the runs.</summary>
    public async Task<(string Claim, List<string> RunIds)> ClaimDueAsync(HubDbContext db, int max, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var token = NewToken();
        var until = now + options.Value.Lease;
        var due = Claimable(db, now, dueOnly: true).OrderBy(r => r.RunnableAt).Take(max).Select(r => r.Id);
        // The claim repeats every condition on the row itself: PostgreSQL re-checks those against a row another transaction
        // changed meanwhile (a cancel), but not the subquery, which still sees the run as it was.
        if (await ClaimAsync(db, Claimable(db, now, dueOnly: true).Where(r => due.Contains(r.Id)), token, until, ct) == 0) return (token, []);
        var ids = await db.WorkflowRuns.IgnoreQueryFilters().Where(r => r.LeaseToken == token).Select(r => r.Id).ToListAsync(ct);
        return (token, ids);
    }

    /// <summary>Claims one run if it is free and due; returns the claim, or null if another worker has it or it is not due.</summary>
    public async Task<string?> ClaimIfDueAsync(HubDbContext db, string runId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var until = now + options.Value.Lease;
        var token = NewToken();
        return await ClaimAsync(db, Claimable(db, now, dueOnly: true).Where(r => r.Id == runId), token, until, ct) == 0 ? null : token;
    }

    /// <summary>
    /// Takes the run's lease for this process if nobody holds it, in the caller's transaction, so the caller executes
    /// the run itself right after committing (no worker can take it in between). Returns the claim's token, or null if
    /// another worker holds it: that worker sees the resumed bookmark before it lets go of the run.
    /// </summary>
    public async Task<string?> TryLeaseAsync(HubDbContext db, string runId, DateTime now, CancellationToken ct)
    {
        var token = NewToken();
        var leased = await ClaimAsync(db, Claimable(db, now, dueOnly: false).Where(r => r.Id == runId), token, now + options.Value.Lease, ct);
        return leased > 0 ? token : null;
    }

    /// <summary>Gives up the lease of a run that now waits, so whoever resumes it can run it at once.</summary>
    public Task ReleaseAsync(HubDbContext db, WorkflowRun run, CancellationToken ct)
    {
        var token = run.LeaseToken;
        return db.WriteAsync(() => db.WorkflowRuns.Where(r => r.Id == run.Id && r.LeaseToken == token)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.LeaseOwner, r => null).SetProperty(r => r.LeaseUntil, r => null), ct));
    }

    /// <summary>
    /// Extends the lease every third of its length while a pass runs, so a slow activity (an HTTP call, a render) never
    /// lets another worker take the run over and repeat it. Stops when the pass ends or the lease is no longer ours.
    /// </summary>
    public async Task KeepAsync(string runId, string claim, CancellationToken passEnded)
    {
        while (!passEnded.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.Lease / 3, clock, passEnded);
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
                var until = clock.GetUtcNow().UtcDateTime + options.Value.Lease;
                // Zero rows before the run's first commit (it is not stored yet) or after a cancel: nothing to keep.
                await db.WriteAsync(() => db.WorkflowRuns.IgnoreQueryFilters().Where(r => r.Id == runId && r.LeaseToken == claim)
                    .ExecuteUpdateAsync(u => u.SetProperty(r => r.LeaseUntil, r => until), passEnded));
            }
            catch (OperationCanceledException) when (passEnded.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                // A busy database now and then must not end the renewals: the next one may get through in time.
                logger.LogWarning(e, "Could not extend the lease of workflow run {RunId}", runId);
            }
        }
    }

    /// <summary>Runs nobody holds a lease on that are still going; with <paramref name="dueOnly"/>, only those due now.</summary>
    private static IQueryable<WorkflowRun> Claimable(HubDbContext db, DateTime now, bool dueOnly) =>
        db.WorkflowRuns.IgnoreQueryFilters().Where(r => (!dueOnly || r.RunnableAt <= now) && (r.LeaseUntil == null || r.LeaseUntil < now)
            && (r.Status == WorkflowRunStatus.Running || r.Status == WorkflowRunStatus.Suspended));

    /// <summary>Takes the lease on the runs for this process with <paramref name="token"/>; one conditional UPDATE, so one winner.</summary>
    private Task<int> ClaimAsync(HubDbContext db, IQueryable<WorkflowRun> runs, string token, DateTime until, CancellationToken ct) =>
        db.WriteAsync(() => runs.ExecuteUpdateAsync(u => u.SetProperty(r => r.LeaseOwner, r => Owner).SetProperty(r => r.LeaseToken, r => token)
            .SetProperty(r => r.LeaseUntil, r => until), ct));
}
