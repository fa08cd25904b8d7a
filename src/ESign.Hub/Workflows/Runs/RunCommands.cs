using ESign.Hub.Storage;
using ESign.Hub.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Workflows.Runs;

/// <summary>What operators do to a run: cancel it, or retry a faulted one from the activity that failed.</summary>
public sealed class RunCommands(WorkflowRuntime runtime, TimeProvider clock, IHostApplicationLifetime lifetime)
{
    /// <summary>Cancels a run that has not finished; a worker executing it stops at its next commit point.</summary>
    public async Task<bool> CancelAsync(HubDbContext db, string runId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var token = RunLeases.NewToken();
        return await db.WriteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            // Bookmarks before the run: publishing an event and a run's commit lock them in that order, so a cancel racing
            // them waits its turn instead of deadlocking (PostgreSQL aborts one side of a deadlock, which failed the request).
            await db.WorkflowBookmarks.Where(b => b.RunId == runId).ExecuteDeleteAsync(ct);
            var canceled = await db.WorkflowRuns.Where(r => r.Id == runId && r.Status != WorkflowRunStatus.Completed
                    && r.Status != WorkflowRunStatus.Faulted && r.Status != WorkflowRunStatus.Canceled)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, r => WorkflowRunStatus.Canceled).SetProperty(r => r.FinishedAt, r => now)
                    .SetProperty(r => r.UpdatedAt, r => now).SetProperty(r => r.RunnableAt, r => null).SetProperty(r => r.LeaseToken, r => token)
                    .SetProperty(r => r.LeaseOwner, r => null).SetProperty(r => r.LeaseUntil, r => null), ct);
            if (canceled == 0)
            {
                await tx.RollbackAsync(ct); // it had finished; a finished run has no bookmarks left anyway
                return false;
            }
            await tx.CommitAsync(ct);
            return true;
        });
    }

    /// <summary>Schedules a faulted run's failed activity again and runs it now. False if the run is not faulted.</summary>
    public async Task<bool> RetryAsync(HubDbContext db, WorkflowRun run, CancellationToken ct)
    {
        if (run.Status != WorkflowRunStatus.Faulted) return false;
        var state = WorkflowState.FromJson(run.State);
        if (!FlowchartRunner.PrepareRetry(state)) return false;
        var now = clock.GetUtcNow().UtcDateTime;
        run.State = state.ToJson();
        run.Status = WorkflowRunStatus.Running;
        run.FinishedAt = null;
        run.FaultActivityId = run.FaultMessage = null;
        run.RunnableAt = now;
        run.UpdatedAt = now;
        // A new token: of two retries at once, the second fails the concurrency check instead of running the run twice.
        run.LeaseToken = RunLeases.NewToken();
        // The bookmarks the run waited on before it faulted are waited on again.
        foreach (var bookmark in state.Bookmarks.Where(b => b.IsExternal))
            db.WorkflowBookmarks.Add(RunCommits.NewBookmarkRow(run, bookmark, now));
        await db.SaveChangesAsync(ct);
        await runtime.RunNowAsync(run.Id, lifetime.ApplicationStopping);
        return true;
    }
}
