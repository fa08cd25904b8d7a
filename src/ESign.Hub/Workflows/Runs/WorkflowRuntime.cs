using ESign.Hub.Auth;
using ESign.Hub.Storage;
using ESign.Hub.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Workflows.Runs;

/// <summary>
/// Executes runs: a run executes while its worker holds the run's lease (<see cref="RunLeases"/>); the runner calls back
/// at every commit point (<see cref="RunCommits"/>), and whatever happens after a commit, a restart continues from it:
/// the run row is its own work-queue entry (<see cref="WorkflowRun.RunnableAt"/>). Resumes (<see cref="RunResumes"/>)
/// make runs runnable; the entry points here that resume also execute the run before they return.
/// </summary>
public sealed class WorkflowRuntime(
    IServiceScopeFactory scopes, FlowchartRunner runner, RunFactory factory, RunLeases leases, RunCommits commits, RunResumes resumes,
    WorkflowSignal signal, TimeProvider clock, IOptions<WorkflowOptions> options, IHostApplicationLifetime lifetime, ILogger<WorkflowRuntime> logger)
{
    /// <summary>
    /// Runs executed for a caller (a start, an event, an HTTP request) finish even if the caller hangs up; only the hub
    /// stopping interrupts them. An interrupted run continues from its last commit point when its lease runs out.
    /// </summary>
    private CancellationToken Stopping => lifetime.ApplicationStopping;

    /// <summary>Runs an API event executes before it answers; the worker takes the rest.</summary>
    public const int MaxInlineRunsPerEvent = 10;

    /// <summary>The compiled flowchart of a published version.</summary>
    public Flowchart FlowchartOf(StoredWorkflow version) => factory.FlowchartOf(version);

    /// <summary>A run row for a trigger to insert in its own transaction; a worker executes it.</summary>
    public WorkflowRun NewRun(RunStart start, DateTime now) => factory.NewRun(start, now);

    /// <summary>Starts a run and executes it here until it waits, completes or faults; returns the run as committed.</summary>
    public async Task<WorkflowRun> StartAsync(RunStart start, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var run = NewRun(start, now);
        run.LeaseOwner = leases.Owner;
        run.LeaseToken = RunLeases.NewToken();
        run.LeaseUntil = now + options.Value.Lease;

        await using var scope = CreateScope(run);
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        // Nothing is stored until the first commit point (or the first activity that saves, such as a signature request,
        // which stores the run as it began): a run that crashes before it never existed, and the caller's request failed
        // with it (an Idempotency-Key makes the retry safe).
        db.WorkflowRuns.Add(run);
        var state = WorkflowState.FromJson(run.State);
        try
        {
            await ExecuteAsync(scope.ServiceProvider, db, run, state, [], Stopping);
            return run;
        }
        catch (DbUpdateConcurrencyException)
        {
            // Canceled while it ran: answer with the run as it is now.
            return await db.WorkflowRuns.AsNoTracking().FirstAsync(r => r.Id == run.Id, ct);
        }
    }

    /// <summary>Claims runs that are due (started, resumed, timer due, or orphaned by a dead worker) and executes them.</summary>
    public async Task<int> RunDueAsync(int max, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        var (token, ids) = await leases.ClaimDueAsync(db, max, ct);
        if (ids.Count == 0) return 0;
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = options.Value.Concurrency, CancellationToken = ct },
            async (id, stopping) => await ContinueClaimedAsync(id, token, stopping));
        return ids.Count;
    }

    /// <summary>Claims one run if it is free and due, and executes it now (after a resume, a retry). False if another worker has it.</summary>
    public async Task<bool> RunNowAsync(string runId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        if (await leases.ClaimIfDueAsync(db, runId, ct) is not { } token) return false;
        await ContinueClaimedAsync(runId, token, ct);
        return true;
    }

    /// <summary>Executes a run this worker claimed with <paramref name="claim"/>, unless the claim was lost before it got to it.</summary>
    private async Task ContinueClaimedAsync(string runId, string claim, CancellationToken ct)
    {
        try
        {
            // The run is loaded by its claim token, not just its id: if it was canceled or its lease expired and another
            // worker claimed it since (a batch waits its turn here), the row carries another token and this worker must
            // not execute it. Loading the newer token would let this worker's commits through the fence.
            WorkflowRun? run;
            await using (var lookup = scopes.CreateAsyncScope())
                run = await lookup.ServiceProvider.GetRequiredService<HubDbContext>().WorkflowRuns.IgnoreQueryFilters().AsNoTracking()
                    .FirstOrDefaultAsync(r => r.Id == runId && r.LeaseToken == claim, ct);
            if (run is null) return;
            await using var scope = CreateScope(run);
            var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
            run = await db.WorkflowRuns.FirstOrDefaultAsync(r => r.Id == runId && r.LeaseToken == claim, ct);
            if (run is null) return;
            var state = WorkflowState.FromJson(run.State);
            await ExecuteAsync(scope.ServiceProvider, db, run, state, await resumes.ResumptionsAsync(db, run, state, ct), ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            logger.LogInformation("Workflow run {RunId} was canceled or taken over by another worker while it ran here", runId);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && IsTransient(e))
        {
            // The run keeps its last commit point and is picked up again when the lease expires.
            logger.LogError(e, "Workflow run {RunId} failed outside its activities; it continues from its last commit point", runId);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Not the database: trying again would fail the same way forever. An incident an operator can see instead.
            logger.LogError(e, "Workflow run {RunId} cannot be executed; it is marked faulted", runId);
            await FaultClaimedAsync(runId, claim, $"the hub could not execute the run: {e.Message}");
        }
    }

    private static bool IsTransient(Exception e) => e is System.Data.Common.DbException or DbUpdateException or TimeoutException;

    private async Task FaultClaimedAsync(string runId, string claim, string message)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
            var now = clock.GetUtcNow().UtcDateTime;
            await db.WriteAsync(() => db.WorkflowRuns.IgnoreQueryFilters().Where(r => r.Id == runId && r.LeaseToken == claim)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, r => WorkflowRunStatus.Faulted).SetProperty(r => r.FaultMessage, r => message)
                    .SetProperty(r => r.FinishedAt, r => now).SetProperty(r => r.UpdatedAt, r => now).SetProperty(r => r.RunnableAt, r => null)
                    .SetProperty(r => r.LeaseOwner, r => null).SetProperty(r => r.LeaseUntil, r => null)));
        }
        catch (Exception e)
        {
            logger.LogError(e, "Workflow run {RunId} could not be marked faulted", runId);
        }
    }


    private async Task ExecuteAsync(IServiceProvider services, HubDbContext db, WorkflowRun run, WorkflowState state,
        IReadOnlyList<Resumption> resumptions, CancellationToken ct)
    {
        var flowchart = await factory.FlowchartOfAsync(db, run.WorkflowVersionId, ct);
        var persisted = db.Entry(run).State == EntityState.Added
            ? new Dictionary<string, WorkflowBookmark>()
            : await db.WorkflowBookmarks.Where(b => b.RunId == run.Id).ToDictionaryAsync(b => b.Id, ct);
        var session = new RunSession
        {
            InstanceId = run.Id,
            AccountId = run.AccountId,
            DefinitionId = run.DefinitionId,
            Flowchart = flowchart,
            State = state,
            Services = services,
            Commit = (s, status, token) => commits.CommitAsync(db, run, s, status, persisted, token),
            // What a failed activity added or changed (a request whose save failed) must not ride on the fault's commit.
            DiscardActivityChanges = () =>
            {
                foreach (var entry in db.ChangeTracker.Entries().Where(e => e.Entity is not WorkflowRun and not WorkflowBookmark).ToList())
                    entry.State = EntityState.Detached;
            },
            Log = (node, text) => logger.LogInformation("Workflow run {RunId} {ActivityId}: {Text}", run.Id, node.Id, text),
        };

        RunStatus status;
        using (var passing = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            var keeper = leases.KeepAsync(run.Id, run.LeaseToken!, passing.Token);
            try
            {
                status = await runner.RunAsync(session, resumptions, ct);
                // While this pass ran, an event may have resumed one of its bookmarks, or a timer came due: go on while we own the run.
                while (status == RunStatus.Suspended)
                {
                    var more = await resumes.ResumptionsAsync(db, run, state, ct, persisted, timers: false);
                    if (more.Count == 0) break;
                    status = await runner.RunAsync(session, more, ct);
                }
            }
            finally
            {
                await passing.CancelAsync();
                await keeper;
            }
        }
        if (status == RunStatus.Suspended) await leases.ReleaseAsync(db, run, ct);
    }


    /// <summary>
    /// Resumes one bookmark (an HTTP request for a waiting HttpEndpoint) and executes the run here before returning, unless
    /// another worker is executing it right now (then that worker continues it).
    /// </summary>
    public async Task<ResumeOutcome> ResumeAndRunAsync(string bookmarkId, string runId, string payloadJson, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        bool resumed;
        string? claim = null;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
            resumed = await db.WriteAsync(async () =>
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                if (!await resumes.ResumeBookmarkAsync(db, bookmarkId, runId, payloadJson, now, ct)) return false;
                claim = await leases.TryLeaseAsync(db, runId, now, ct);
                await tx.CommitAsync(ct);
                return true;
            });
        }
        if (!resumed) return ResumeOutcome.AlreadyResumed;
        if (claim is null) return ResumeOutcome.LeftToWorker;
        await ContinueClaimedAsync(runId, claim, Stopping);
        return ResumeOutcome.RanHere;
    }


    /// <summary>Publishes an event from outside a run (the API): resumes waiting runs, starts triggered ones, and runs them now.</summary>
    public async Task<List<string>> PublishEventAsync(string accountId, bool testMode, string name, string? correlationId, object? payload,
        CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        List<string> runIds;
        var leased = new List<(string RunId, string Claim)>();
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
            runIds = await db.WriteAsync(async () =>
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                var ids = await resumes.DeliverEventAsync(db, accountId, testMode, name, correlationId,
                    new Dictionary<string, object?> { ["payload"] = StateJson.Plain(payload) }, now, ct);
                // The caller waits for the first few runs; more are left to the worker, so one event for many runs answers soon.
                foreach (var id in ids.Take(MaxInlineRunsPerEvent))
                    if (await leases.TryLeaseAsync(db, id, now, ct) is { } claim) leased.Add((id, claim));
                await tx.CommitAsync(ct);
                return ids;
            });
        }
        if (runIds.Count > leased.Count) signal.Raise();
        foreach (var (runId, claim) in leased) await ContinueClaimedAsync(runId, claim, Stopping);
        return runIds;
    }


    /// <summary>
    /// A scope whose tenant is the run's account and mode, acting as the run with the run's scopes (activities create
    /// requests, documents, emails for it only as far as those allow).
    /// </summary>
    private AsyncServiceScope CreateScope(WorkflowRun run)
    {
        var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantScope>().Caller =
            new Caller(run.AccountId, run.Id, Scopes.Split(run.Scopes).ToHashSet(StringComparer.Ordinal), run.TestMode);
        return scope;
    }

}

/// <summary>What became of a resume: another resume took the bookmark first, it ran here, or the worker holding the run will run it.</summary>
public enum ResumeOutcome { AlreadyResumed, RanHere, LeftToWorker }

/// <summary>Raised when runs became runnable in this process, so the worker looks now rather than at its next poll.</summary>
public sealed class WorkflowSignal
{
    public event Action? Raised;
    public void Raise() => Raised?.Invoke();
}
