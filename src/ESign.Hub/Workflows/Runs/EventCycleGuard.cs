using System.Collections.Concurrent;
using ESign.Hub.Auth;
using ESign.Hub.Storage;
using ESign.Hub.Workflows.Definitions;
using ESign.Hub.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Workflows.Runs;

/// <summary>
/// Stops workflows that start themselves through events without end (an Elsa.Event trigger "x" followed by an
/// Elsa.PublishEvent "x" made 781 runs in 10 s from one call). An event a run publishes may not start a workflow of the
/// run's own lineage — itself, or any workflow whose events led to it — unless that workflow's Elsa.Event trigger says
/// <c>customProperties.startsOnItsOwnEvents: true</c>; even then a chain stops after <see cref="WorkflowOptions.MaxEventChain"/>
/// runs. And an account's runs may start at most <see cref="WorkflowOptions.MaxEventRunStartsPerSecond"/> runs per second
/// through events. A refusal faults the publishing activity with an incident that says which rule and how to change it.
/// </summary>
public sealed class EventCycleGuard(
    HubDbContext db, TenantScope tenant, EventRunStartBudget budget, IOptions<WorkflowOptions> options, WorkflowRuntime runtime)
    : IEventPublishGuard
{
    public const string AllowOwnEventsProperty = "startsOnItsOwnEvents";

    public async Task<string?> RefusalAsync(RunSession session, string eventName, CancellationToken ct)
    {
        // The run's own scope acts as the run: its account and mode (the run's row may not be committed yet).
        var testMode = tenant.Caller!.TestMode;
        var triggers = await db.WorkflowTriggers.IgnoreQueryFilters().AsNoTracking()
            .Where(t => t.AccountId == session.AccountId && t.Kind == ActivityTrigger.Event && t.Key == eventName && t.TestMode == testMode)
            .ToListAsync(ct);
        if (triggers.Count == 0) return null;

        List<string> lineage = [.. session.State.EventLineage, session.DefinitionId];
        var settings = options.Value;
        if (lineage.Count >= settings.MaxEventChain)
            return $"Publishing '{eventName}' would start the {lineage.Count + 1}th run of a chain of workflows started by each other's events; " +
                $"chains stop at {settings.MaxEventChain} (Hub:Workflows:MaxEventChain).";
        foreach (var trigger in triggers.Where(t => lineage.Contains(t.DefinitionId)))
        {
            if (await AllowsOwnEventsAsync(trigger, ct)) continue;
            var how = trigger.DefinitionId == session.DefinitionId ? "this workflow's own" : $"workflow '{trigger.DefinitionId}', whose events led to this run, has an";
            return $"Publishing '{eventName}' would start workflow '{trigger.DefinitionId}' again ({how} Elsa.Event trigger '{trigger.ActivityId}' " +
                $"listens for it): a cycle that would run without end. Publish another event name, or set customProperties.{AllowOwnEventsProperty} " +
                $"to true on that trigger if the loop ends by itself (chains stop at {settings.MaxEventChain} runs).";
        }
        if (!budget.TryTake(session.AccountId, triggers.Count))
            return $"Publishing '{eventName}' would start {triggers.Count} more run(s), over the {settings.MaxEventRunStartsPerSecond} runs per second " +
                "this account's workflows may start through events (Hub:Workflows:MaxEventRunStartsPerSecond). Retry the run once the burst is over.";
        return null;
    }

    private async Task<bool> AllowsOwnEventsAsync(WorkflowTrigger trigger, CancellationToken ct)
    {
        var version = await db.Workflows.IgnoreQueryFilters().AsNoTracking().FirstAsync(w => w.Id == trigger.WorkflowVersionId, ct);
        var node = runtime.FlowchartOf(version).Find(trigger.ActivityId);
        return node?.Raw["customProperties"]?[AllowOwnEventsProperty] is { } allowed
            && allowed.GetValueKind() == System.Text.Json.JsonValueKind.True;
    }
}

/// <summary>
/// Runs an account may still start through events, in this process: a token bucket that holds a second's worth and
/// refills continuously (a fixed one-second window would let twice the rate through across a second's boundary).
/// </summary>
public sealed class EventRunStartBudget(IOptions<WorkflowOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    private sealed class Bucket
    {
        public double Tokens = double.NaN;
        public long UpdatedAt;
    }

    public bool TryTake(string accountId, int runs)
    {
        var rate = options.Value.MaxEventRunStartsPerSecond;
        var now = clock.GetTimestamp();
        var bucket = _buckets.GetOrAdd(accountId, _ => new Bucket());
        lock (bucket)
        {
            bucket.Tokens = double.IsNaN(bucket.Tokens)
                ? rate
                : Math.Min(rate, bucket.Tokens + clock.GetElapsedTime(bucket.UpdatedAt, now).TotalSeconds * rate);
            bucket.UpdatedAt = now;
            if (bucket.Tokens < runs) return false;
            bucket.Tokens -= runs;
            return true;
        }
    }
}
