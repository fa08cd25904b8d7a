using System.Collections.Concurrent;
using System.Text.Json;
using ESign.Hub.Auth;
using ESign.Hub.Hosting;
using ESign.Hub.Storage;
using ESign.Hub.Workflows.Definitions;
using ESign.Hub.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Workflows.Runs;

/// <summary>
/// What starts a run: the version, its input, and the trigger that fired (null for a run started through the API). The
/// run is in the version's mode. <paramref name="CallerScopes"/> are the scopes of the credential that starts it; a run a
/// trigger starts has none and acts with the scopes its version's publisher had.
/// </summary>
public sealed record RunStart(
    StoredWorkflow Version, Dictionary<string, object?> Input, string Trigger,
    string? TriggerActivityId = null, Dictionary<string, object?>? TriggerData = null, string? CorrelationId = null,
    IReadOnlySet<string>? CallerScopes = null, IReadOnlyList<string>? EventLineage = null);

/// <summary>
/// The durable side of the workflow engine. A run executes while its worker holds the run's lease; the runner calls
/// back here at every commit point, and each commit writes the state, the new journal entries, the bookmarks others
/// resume, published events and workflow_run webhooks in one transaction. Whatever happens after a commit, a restart
/// continues from it: the run row is its own work-queue entry (<see cref="WorkflowRun.RunnableAt"/>).
/// </summary>
public sealed class WorkflowRuntime(
    IServiceScopeFactory scopes, FlowchartRunner runner, WorkflowRunEvents events, WorkflowSignal signal, TimeProvider clock,
    IOptions<WorkflowOptions> options, IHostApplicationLifetime lifetime, ILogger<WorkflowRuntime> logger)
{
    /// <summary>
    /// Runs executed for a caller (a start, an event, an HTTP request) finish even if the caller hangs up; only the hub
    /// stopping interrupts them. An interrupted run continues from its last commit point when its lease runs out.
    /// </summary>
    private CancellationToken Stopping => lifetime.ApplicationStopping;

    private readonly ConcurrentDictionary<string, Flowchart> _flowcharts = new();
    private readonly ConcurrentDictionary<string, StoredWorkflow> _versions = new();

    /// <summary>Runs an API event executes before it answers; the worker takes the rest.</summary>
    public const int MaxInlineRunsPerEvent = 10;

    /// <summary>Names this process in leases.</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>The compiled flowchart of a published version (immutable, so cached by version row id).</summary>
    public Flowchart FlowchartOf(StoredWorkflow version) =>
        _flowcharts.GetOrAdd(version.Id, _ => new Flowchart(WorkflowDefinitionReader.Read(version.Json).Definition
            ?? throw new InvalidOperationException($"Stored workflow version {version.Id} does not read back.")));

    /// <summary>The version a run runs (a published version never changes, so it is read once per process).</summary>
    private async Task<Flowchart> FlowchartOfAsync(HubDbContext db, string versionId, CancellationToken ct)
    {
        if (!_versions.TryGetValue(versionId, out var version))
            _versions[versionId] = version = await db.Workflows.IgnoreQueryFilters().AsNoTracking().FirstAsync(w => w.Id == versionId, ct);
        return FlowchartOf(version);
    }

    /// <summary>Starts a run and executes it here until it waits, completes or faults; returns the run as committed.</summary>
    public async Task<WorkflowRun> StartAsync(RunStart start, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var run = NewRun(start, now);
        run.LeaseOwner = Owner;
        run.LeaseToken = Guid.NewGuid().ToString("N");
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

    /// <summary>A run row for a trigger to insert in its own transaction; a worker executes it.</summary>
    public WorkflowRun NewRun(RunStart start, DateTime now)
    {
        var flowchart = FlowchartOf(start.Version);
        var state = new WorkflowState();
        foreach (var (k, v) in start.Input) state.Input[k] = v;
        state.EventLineage.AddRange(start.EventLineage ?? []);
        FlowchartRunner.Begin(flowchart, state, start.TriggerActivityId, start.TriggerData);
        return new WorkflowRun
        {
            Id = Ids.New("wfr"),
            AccountId = start.Version.AccountId,
            DefinitionId = start.Version.DefinitionId,
            DefinitionVersion = start.Version.Version,
            WorkflowVersionId = start.Version.Id,
            TestMode = start.Version.TestMode,
            Scopes = start.CallerScopes is { } callerScopes ? Scopes.Join(callerScopes) : start.Version.PublisherScopes ?? "",
            Trigger = start.Trigger,
            CorrelationId = start.CorrelationId,
            Status = WorkflowRunStatus.Running,
            State = state.ToJson(),
            CreatedAt = now,
            UpdatedAt = now,
            RunnableAt = now,
        };
    }

    /// <summary>Claims runs that are due (started, resumed, timer due, or orphaned by a dead worker) and executes them.</summary>
    public async Task<int> RunDueAsync(int max, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        var token = Guid.NewGuid().ToString("N");
        var until = now + options.Value.Lease;
        var due = Claimable(db, now, dueOnly: true).OrderBy(r => r.RunnableAt).Take(max).Select(r => r.Id);
        // The claim repeats every condition on the row itself: PostgreSQL re-checks those against a row another transaction
        // changed meanwhile (a cancel), but not the subquery, which still sees the run as it was.
        if (await ClaimAsync(db, Claimable(db, now, dueOnly: true).Where(r => due.Contains(r.Id)), token, until, ct) == 0) return 0;
        var ids = await db.WorkflowRuns.IgnoreQueryFilters().Where(r => r.LeaseToken == token).Select(r => r.Id).ToListAsync(ct);
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = options.Value.Concurrency, CancellationToken = ct },
            async (id, stopping) => await ContinueClaimedAsync(id, token, stopping));
        return ids.Count;
    }

    /// <summary>Claims one run if it is free and due, and executes it now (after a resume, a retry). False if another worker has it.</summary>
    public async Task<bool> RunNowAsync(string runId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        var until = now + options.Value.Lease;
        var token = Guid.NewGuid().ToString("N");
        if (await ClaimAsync(db, Claimable(db, now, dueOnly: true).Where(r => r.Id == runId), token, until, ct) == 0) return false;
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
            await ExecuteAsync(scope.ServiceProvider, db, run, state, await ResumptionsAsync(db, run, state, ct), ct);
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

    /// <summary>Bookmarks resumed from outside (events, signature outcomes, HTTP requests) and timers that are due.</summary>
    /// <param name="persisted">The pass's bookmark rows; rows resumed since the pass began join it, so its commit deletes them.</param>
    /// <param name="persisted">The pass's bookmark rows; rows resumed since the pass began join it, so its commit deletes them.</param>
    /// <param name="timers">False while a pass goes on after waiting: timers (a Delay of 0 in a loop) wait for the worker, so a pass ends.</param>
    private async Task<List<Resumption>> ResumptionsAsync(HubDbContext db, WorkflowRun run, WorkflowState state, CancellationToken ct,
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

    private async Task ExecuteAsync(IServiceProvider services, HubDbContext db, WorkflowRun run, WorkflowState state,
        IReadOnlyList<Resumption> resumptions, CancellationToken ct)
    {
        var flowchart = await FlowchartOfAsync(db, run.WorkflowVersionId, ct);
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
            Commit = (s, status, token) => CommitAsync(db, run, s, status, persisted, token),
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
            var keeper = KeepLeaseAsync(run.Id, run.LeaseToken!, passing.Token);
            try
            {
                status = await runner.RunAsync(session, resumptions, ct);
                // While this pass ran, an event may have resumed one of its bookmarks, or a timer came due: go on while we own the run.
                while (status == RunStatus.Suspended)
                {
                    var more = await ResumptionsAsync(db, run, state, ct, persisted, timers: false);
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
        if (status == RunStatus.Suspended)
        {
            var token = run.LeaseToken;
            await db.WriteAsync(() => db.WorkflowRuns.Where(r => r.Id == run.Id && r.LeaseToken == token)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.LeaseOwner, r => null).SetProperty(r => r.LeaseUntil, r => null), ct));
        }
    }

    /// <summary>
    /// Extends the lease every third of its length while a pass runs, so a slow activity (an HTTP call, a render) never
    /// lets another worker take the run over and repeat it. Stops when the pass ends or the lease is no longer ours.
    /// </summary>
    private async Task KeepLeaseAsync(string runId, string claim, CancellationToken passEnded)
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

    private async Task CommitAsync(HubDbContext db, WorkflowRun run, RunSession session, RunStatus status,
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

        var published = session.PublishedEvents.ToList();
        if (published.Count == 0)
        {
            await db.SaveChangesAsync(ct);
        }
        else
        {
            await db.WriteAsync(async () =>
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                await db.SaveChangesAsync(ct);
                foreach (var e in published)
                    await DeliverEventAsync(db, run.AccountId, run.TestMode, e.Name, e.CorrelationId, e.Payload, now, ct,
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

    private static WorkflowBookmark NewBookmarkRow(WorkflowRun run, Bookmark bookmark, DateTime now) => new()
    {
        Id = bookmark.Id, AccountId = run.AccountId, TestMode = run.TestMode, RunId = run.Id, ActivityId = bookmark.ActivityId, Kind = bookmark.Kind, Key = bookmark.Key,
        CreatedAt = now,
    };

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
            .Where(b => b.AccountId == accountId && b.TestMode == testMode && b.Kind == Bookmark.Event && b.Key == name && b.ResumedAt == null);
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
            .Where(t => t.AccountId == accountId && t.Kind == "event" && t.Key == name && t.TestMode == testMode).ToListAsync(ct);
        foreach (var trigger in triggers)
        {
            var version = await db.Workflows.IgnoreQueryFilters().AsNoTracking().FirstAsync(w => w.Id == trigger.WorkflowVersionId, ct);
            var run = NewRun(new RunStart(version, [], "event", trigger.ActivityId,
                new Dictionary<string, object?> { ["payload"] = payload.GetValueOrDefault("payload"), ["correlationId"] = correlationId },
                correlationId, EventLineage: lineage), now);
            db.WorkflowRuns.Add(run);
            runIds.Add(run.Id);
        }
        if (triggers.Count > 0) await db.SaveChangesAsync(ct);
        return runIds;
    }

    /// <summary>Claims a bookmark for this resume (false if another resume got it first) and makes its run runnable.</summary>
    public Task<bool> ResumeBookmarkAsync(HubDbContext db, string bookmarkId, string runId, string payloadJson, DateTime now, CancellationToken ct) =>
        // Both writes or neither: a claimed bookmark whose run is not runnable would never wake the run.
        db.WriteAsync(async () =>
        {
            var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
            try
            {
                var claimed = await db.WorkflowBookmarks.IgnoreQueryFilters().Where(b => b.Id == bookmarkId && b.ResumedAt == null)
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
    /// Takes the run's lease for this process if nobody holds it, in the caller's transaction, so the caller executes
    /// the run itself right after committing (no worker can take it in between). Returns the claim's token, or null if
    /// another worker holds it: that worker sees the resumed bookmark before it lets go of the run.
    /// </summary>
    private async Task<string?> TryLeaseAsync(HubDbContext db, string runId, DateTime now, CancellationToken ct)
    {
        var token = Guid.NewGuid().ToString("N");
        var leased = await ClaimAsync(db, Claimable(db, now, dueOnly: false).Where(r => r.Id == runId), token, now + options.Value.Lease, ct);
        return leased > 0 ? token : null;
    }

    /// <summary>Runs nobody holds a lease on that are still going; with <paramref name="dueOnly"/>, only those due now.</summary>
    private static IQueryable<WorkflowRun> Claimable(HubDbContext db, DateTime now, bool dueOnly) =>
        db.WorkflowRuns.IgnoreQueryFilters().Where(r => (!dueOnly || r.RunnableAt <= now) && (r.LeaseUntil == null || r.LeaseUntil < now)
            && (r.Status == WorkflowRunStatus.Running || r.Status == WorkflowRunStatus.Suspended));

    /// <summary>Takes the lease on the runs for this process with <paramref name="token"/>; one conditional UPDATE, so one winner.</summary>
    private Task<int> ClaimAsync(HubDbContext db, IQueryable<WorkflowRun> runs, string token, DateTime until, CancellationToken ct) =>
        db.WriteAsync(() => runs.ExecuteUpdateAsync(u => u.SetProperty(r => r.LeaseOwner, r => Owner).SetProperty(r => r.LeaseToken, r => token)
            .SetProperty(r => r.LeaseUntil, r => until), ct));

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
                if (!await ResumeBookmarkAsync(db, bookmarkId, runId, payloadJson, now, ct)) return false;
                claim = await TryLeaseAsync(db, runId, now, ct);
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
                var ids = await DeliverEventAsync(db, accountId, testMode, name, correlationId,
                    new Dictionary<string, object?> { ["payload"] = StateJson.Plain(payload) }, now, ct);
                // The caller waits for the first few runs; more are left to the worker, so one event for many runs answers soon.
                foreach (var id in ids.Take(MaxInlineRunsPerEvent))
                    if (await TryLeaseAsync(db, id, now, ct) is { } claim) leased.Add((id, claim));
                await tx.CommitAsync(ct);
                return ids;
            });
        }
        if (runIds.Count > leased.Count) signal.Raise();
        foreach (var (runId, claim) in leased) await ContinueClaimedAsync(runId, claim, Stopping);
        return runIds;
    }

    /// <summary>Cancels a run that has not finished; a worker executing it stops at its next commit point.</summary>
    public async Task<bool> CancelAsync(HubDbContext db, string runId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var token = Guid.NewGuid().ToString("N");
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
        run.LeaseToken = Guid.NewGuid().ToString("N");
        // The bookmarks the run waited on before it faulted are waited on again.
        foreach (var bookmark in state.Bookmarks.Where(b => b.IsExternal))
            db.WorkflowBookmarks.Add(NewBookmarkRow(run, bookmark, now));
        await db.SaveChangesAsync(ct);
        await RunNowAsync(run.Id, Stopping);
        return true;
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

    /// <summary>Largest run state kept (JSON characters); beyond it the run faults.</summary>
    public const int MaxStateChars = 8 * 1024 * 1024;

    /// <summary>Largest inputs or outputs one journal entry keeps (JSON characters); larger ones are replaced by a note.</summary>
    public const int MaxJournalValueChars = 64 * 1024;

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

    private static IReadOnlyDictionary<string, object?> ReadPayload(string? json) =>
        string.IsNullOrEmpty(json) ? new Dictionary<string, object?>()
            : JsonSerializer.Deserialize<Dictionary<string, object?>>(json, StateJson.Options) ?? [];
}

/// <summary>What became of a resume: another resume took the bookmark first, it ran here, or the worker holding the run will run it.</summary>
public enum ResumeOutcome { AlreadyResumed, RanHere, LeftToWorker }

/// <summary>Raised when runs became runnable in this process, so the worker looks now rather than at its next poll.</summary>
public sealed class WorkflowSignal
{
    public event Action? Raised;
    public void Raise() => Raised?.Invoke();
}
