using ESign.Hub.Storage;
using ESign.Hub.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Workflows.Runs;

/// <summary>
/// Keeps runs moving in this process: resumes the waits the registered <see cref="IBookmarkSource"/>s can end (a signature
/// request that ended, …), starts timer and cron triggers
/// that are due, and executes every run that is due (started, resumed, timer due, or left by a process that died).
/// Wakes at once when this process made something runnable; otherwise polls, which is how it sees other processes' work.
/// </summary>
public sealed class WorkflowWorker : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0);
    private readonly WorkflowRuntime runtime;
    private readonly RunResumes resumes;
    private readonly IReadOnlyList<IBookmarkSource> sources;
    private readonly IServiceScopeFactory scopes;
    private readonly TimeProvider clock;
    private readonly IOptions<WorkflowOptions> options;
    private readonly ILogger<WorkflowWorker> logger;

    public WorkflowWorker(WorkflowRuntime runtime, RunResumes resumes, IEnumerable<IBookmarkSource> sources, IServiceScopeFactory scopes,
        WorkflowSignal signal, OutboxSignal outbox, TimeProvider clock, IOptions<WorkflowOptions> options, ILogger<WorkflowWorker> logger)
    {
        (this.runtime, this.resumes, this.scopes, this.clock, this.options, this.logger) = (runtime, resumes, scopes, clock, options, logger);
        this.sources = [.. sources];
        signal.Raised += Wake;
        // A request's timeline changed: it may have ended, and a run may wait for it.
        outbox.TimelineWritten += Wake;
    }

    public void Wake()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PassAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Workflow worker pass failed");
            }
            try
            {
                if (await _wake.WaitAsync(TimeSpan.FromSeconds(options.Value.PollSeconds), stoppingToken))
                {
                    // Under API load every commit that writes a request's timeline wakes us; gathering 25 ms of wake-ups
                    // into one pass keeps the worker's queries from competing with the API for the cores and the writer.
                    await Task.Delay(TimeSpan.FromMilliseconds(25), stoppingToken);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async Task PassAsync(CancellationToken ct)
    {
        // Each step on its own: a failing one (a database hiccup, one bad trigger) must not hold up the others.
        foreach (var source in sources)
            await StepAsync($"resume runs waiting on '{source.BookmarkName}'", token => ResumeFromAsync(source, token), ct);
        await StepAsync("start due timer and cron triggers", StartDueSchedulesAsync, ct);
        await StepAsync("execute due runs", async token =>
        {
            // Claim no more than can run at once: a claimed run waiting its turn would hold a lease it is not using.
            // Bounded, so a workflow looping on zero delays cannot keep the worker from its other steps.
            for (var batch = 0; batch < 100 && await runtime.RunDueAsync(options.Value.Concurrency, token) > 0; batch++) { }
        }, ct);
    }

    private async Task StepAsync(string what, Func<CancellationToken, Task> step, CancellationToken ct)
    {
        try
        {
            await step(ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogError(e, "Workflow worker could not {Step}", what);
        }
    }

    /// <summary>
    /// Resumes every bookmark the source says can resume now, with the payload it gives. Only its own kind of bookmark and
    /// only in the run it belongs to: a plug-in's mistake must not end an HTTP or event wait or wake another run.
    /// </summary>
    public async Task ResumeFromAsync(IBookmarkSource source, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        var resumable = await source.FindResumableAsync(db, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var resume in resumable)
            await resumes.ResumeBookmarkAsync(db, resume.BookmarkId, resume.RunId,
                System.Text.Json.JsonSerializer.Serialize(resume.Payload, StateJson.Options), now, ct, name: source.BookmarkName);
    }

    /// <summary>Starts one run per due timer/cron trigger and moves the trigger to its next time, in one transaction (so once).</summary>
    public async Task StartDueSchedulesAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        var due = await db.WorkflowTriggers.IgnoreQueryFilters().Where(t => t.NextRunAt != null && t.NextRunAt <= now)
            .Select(t => t.Id).Take(100).ToListAsync(ct);
        foreach (var triggerId in due)
        {
            // One trigger per unit of work: a conflict on one must not detach (and so re-fire) the others.
            db.ChangeTracker.Clear();
            var trigger = await db.WorkflowTriggers.IgnoreQueryFilters().FirstOrDefaultAsync(t => t.Id == triggerId && t.NextRunAt <= now, ct);
            if (trigger is null) continue;
            var version = await db.Workflows.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(w => w.Id == trigger.WorkflowVersionId, ct);
            if (version is null) continue;
            var previous = trigger.NextRunAt;
            trigger.NextRunAt = WorkflowTriggers.NextTime(trigger, now);
            try
            {
                db.WorkflowRuns.Add(runtime.NewRun(new RunStart(version, [], trigger.Kind, trigger.ActivityId,
                    new Dictionary<string, object?> { ["scheduledAt"] = previous }), now));
                // The trigger row is the guard: if another process moved it first, this save fails and starts nothing.
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                // Another process moved this trigger first and started its run.
            }
            catch (Exception e) when (e is not DbUpdateException && !ct.IsCancellationRequested)
            {
                logger.LogError(e, "Timer trigger {Trigger} of workflow {Definition} could not start a run", trigger.Id, trigger.DefinitionId);
            }
        }
    }
}
