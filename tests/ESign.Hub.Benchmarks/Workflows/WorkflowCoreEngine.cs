using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WorkflowCore.Interface;
using WorkflowCore.Models;
using WorkflowCore.Models.LifeCycleEvents;

namespace ESign.Hub.Benchmarks.Workflows;

/// <summary>
/// WorkflowCore 3.22.0 as the reference engine of the workflows benchmark: one node, its default in-memory
/// persistence, queue, lock and event hub (<c>services.AddWorkflow()</c>, <c>host.Start()</c>), and the three flows
/// built with its fluent builder. A run counts as complete when the host raises <see cref="WorkflowCompleted"/> for it.
/// </summary>
public sealed class WorkflowCoreEngine : IAsyncDisposable
{
    public const string PackageVersion = "3.22.0";
    private const string ResumeEventName = "go";

    private readonly ServiceProvider _services;
    private readonly IWorkflowHost _host;
    private readonly IPersistenceProvider _store;
    private readonly IWorkflowPurger _purger;
    // Runs whose completion someone awaits, by the reference they were started with.
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _running = new();
    private readonly CancellationTokenSource _stopPurging = new();
    private Task _purging = Task.CompletedTask;
    private long _lastReference;

    private WorkflowCoreEngine()
    {
        var services = new ServiceCollection();
        // WorkflowCore needs an ILoggerFactory; its warnings and errors go to stderr, away from the report on stdout.
        services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
        services.AddWorkflow(options =>
        {
            // Set as a user tuning WorkflowCore for throughput would. With the in-memory store, though, every pass of an
            // instance completes synchronously on the workflow consumer's dispatcher thread, so at most one instance
            // executes at a time and neither limit below is ever reached: a 5 s run with all defaults did the same
            // (2,141 vs 2,108 10-step runs/s, within noise).
            //
            // How many instances one node executes at once. The default, max(cores, 4), is 4 here, below the harness's
            // 32 runs in flight; 64 keeps the limit out of the way should execution ever go asynchronous.
            options.UseMaxConcurrentWorkflows(64);
            // How long the dispatcher sleeps when that limit is reached (default 100 ms; it also paces lock retries).
            // 100 ms is longer than many whole runs, so it is as short as a timer allows.
            options.UseIdleTime(TimeSpan.FromMilliseconds(1));
            // Every step after the first continues through the in-memory queue at once (the consumer re-queues the
            // instance when its next step is due now), and published events are queued at once too, so nothing here
            // waits for the poller. The poll is only the sweep for instances nobody queued; each one scans the whole
            // in-memory instance list under its lock, so polling more often would cost throughput and gain nothing.
            // The default, stated so a reader need not look it up:
            options.UsePollInterval(TimeSpan.FromSeconds(10));
            // Left at their defaults: lifecycle events on (completion is observed through them); the search index
            // consumer on (a node without a search index still runs it, with a no-op index).
        });

        _services = services.BuildServiceProvider();
        _host = _services.GetRequiredService<IWorkflowHost>();
        _store = _services.GetRequiredService<IPersistenceProvider>();
        _purger = _services.GetRequiredService<IWorkflowPurger>();
        _host.RegisterWorkflow<TenStepWorkflow, CounterData>();
        _host.RegisterWorkflow<ForkJoinWorkflow, CounterData>();
        _host.RegisterWorkflow<WaitForEventWorkflow, CounterData>();
        _host.OnLifeCycleEvent += OnLifeCycleEvent;
    }

    /// <summary>Starts the host, checks that each flow runs all its steps, and keeps completed instances purged.</summary>
    public static async Task<WorkflowCoreEngine> StartAsync(CancellationToken ct)
    {
        var engine = new WorkflowCoreEngine();
        try
        {
            engine._host.Start();
            await engine.CheckStepCountAsync(TenStepWorkflow.DefinitionId, expected: 10, ct);
            await engine.CheckStepCountAsync(ForkJoinWorkflow.DefinitionId, expected: 8, ct);
            engine._purging = engine.PurgeCompletedAsync(engine._stopPurging.Token);
            return engine;
        }
        catch
        {
            await engine.DisposeAsync();
            throw;
        }
    }

    public EngineUnderTest UnderTest => new(
        Name: $"WorkflowCore {PackageVersion}",
        Store: "in memory",
        RunTenStepAsync: ct => RunAsync(TenStepWorkflow.DefinitionId, ct),
        RunForkJoinAsync: ct => RunAsync(ForkJoinWorkflow.DefinitionId, ct),
        StartWaitingAsync: StartWaitingAsync,
        ResumeAsync: ResumeAsync);

    private async Task RunAsync(string definitionId, CancellationToken ct)
    {
        var (_, completed) = await StartInstanceAsync(definitionId, NextReference(), new CounterData(), ct);
        await completed.WaitAsync(ct);
    }

    private async Task<string> StartWaitingAsync(CancellationToken ct)
    {
        // The event key doubles as the run's reference, so ResumeAsync finds the run to await by its key.
        var key = NextReference();
        await StartInstanceAsync(WaitForEventWorkflow.DefinitionId, key, new CounterData { Key = key }, ct);
        // The instance waits once WorkflowCore has stored its subscription to ("go", key); that happens after the step
        // before it ran. An event published earlier would still be delivered, but it would not measure a resume.
        while (await _store.GetFirstOpenSubscription(ResumeEventName, key, DateTime.UtcNow, ct) is null)
            await Task.Delay(1, ct);
        return key;
    }

    private async Task ResumeAsync(string key, CancellationToken ct)
    {
        if (!_running.TryGetValue(key, out var completed))
            throw new InvalidOperationException($"No waiting WorkflowCore instance has the key '{key}'.");
        await _host.PublishEvent(ResumeEventName, key, eventData: null);
        await completed.Task.WaitAsync(ct);
    }

    /// <summary>Starts an instance under the given reference, watched before it starts so its completion cannot be missed.</summary>
    private async Task<(string InstanceId, Task Completed)> StartInstanceAsync(
        string definitionId, string reference, CounterData data, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        // Completions arrive on WorkflowCore's event thread; the awaiting code continues elsewhere, not on that thread.
        var completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _running[reference] = completed;
        var instanceId = await _host.StartWorkflow(definitionId, data, reference);
        return (instanceId, completed.Task);
    }

    private void OnLifeCycleEvent(LifeCycleEvent evt)
    {
        if (evt.Reference is not { } reference) return;
        switch (evt)
        {
            case WorkflowCompleted when _running.TryRemove(reference, out var run):
                run.TrySetResult();
                break;
            // Default error handling retries a failed step a minute later; for a benchmark a failure is an error now.
            case WorkflowError error when _running.TryRemove(reference, out var run):
                run.TrySetException(new InvalidOperationException($"WorkflowCore step {error.StepId} failed: {error.Message}"));
                break;
            case WorkflowTerminated when _running.TryRemove(reference, out var run):
                run.TrySetException(new InvalidOperationException($"WorkflowCore terminated instance {evt.WorkflowInstanceId}."));
                break;
        }
    }

    // Guards against a benchmark that measures nothing: the instance's data shows that every step ran once.
    private async Task CheckStepCountAsync(string definitionId, int expected, CancellationToken ct)
    {
        var (instanceId, completed) = await StartInstanceAsync(definitionId, NextReference(), new CounterData(), ct);
        await completed.WaitAsync(TimeSpan.FromSeconds(30), ct);
        var instance = await _store.GetWorkflowInstance(instanceId, ct);
        var count = ((CounterData)instance.Data).Count;
        if (count != expected)
            throw new InvalidOperationException($"WorkflowCore flow '{definitionId}' ran {count} steps, not {expected}.");
    }

    // The in-memory store keeps every instance in one list that each load and save scans under a lock, so completed
    // instances slow every later step: without this purge a 5 s run fell from ~2,100 to 384 10-step runs/s. A
    // long-running WorkflowCore node must purge them anyway (IWorkflowPurger) or grow without bound; this one purges,
    // once a second, instances completed over a second ago, long after their last save.
    private async Task PurgeCompletedAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
                await _purger.PurgeWorkflows(WorkflowStatus.Complete, DateTime.UtcNow.AddSeconds(-1), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private string NextReference() =>
        Interlocked.Increment(ref _lastReference).ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await _stopPurging.CancelAsync();
        await _purging;
        _host.OnLifeCycleEvent -= OnLifeCycleEvent;
        _host.Stop();
        await _services.DisposeAsync();
        _stopPurging.Dispose();
    }

    /// <summary>The data every flow's instances carry: a step counter and, for the waiting flow, its event key.</summary>
    public sealed class CounterData
    {
        public int Count { get; set; }
        public string Key { get; set; } = "";
    }

    /// <summary>
    /// The one step of every flow: increments the counter, no I/O. It changes the data through the context rather
    /// than an Output mapping, because WorkflowCore 3.22 compiles an expression for every mapped output it assigns.
    /// </summary>
    public sealed class IncrementCount : StepBody
    {
        public override ExecutionResult Run(IStepExecutionContext context)
        {
            ((CounterData)context.Workflow.Data).Count++;
            return ExecutionResult.Next();
        }
    }

    private sealed class TenStepWorkflow : IWorkflow<CounterData>
    {
        public const string DefinitionId = "ten-step";
        public string Id => DefinitionId;
        public int Version => 1;

        public void Build(IWorkflowBuilder<CounterData> builder)
        {
            var step = builder.StartWith<IncrementCount>();
            for (var i = 2; i <= 10; i++)
                step = step.Then<IncrementCount>();
        }
    }

    private sealed class ForkJoinWorkflow : IWorkflow<CounterData>
    {
        public const string DefinitionId = "fork-join";
        public string Id => DefinitionId;
        public int Version => 1;

        // 8 steps: one, three branches of two in parallel, join, one.
        public void Build(IWorkflowBuilder<CounterData> builder) => builder
            .StartWith<IncrementCount>()
            .Parallel()
                .Do(branch => branch.StartWith<IncrementCount>().Then<IncrementCount>())
                .Do(branch => branch.StartWith<IncrementCount>().Then<IncrementCount>())
                .Do(branch => branch.StartWith<IncrementCount>().Then<IncrementCount>())
            .Join()
            .Then<IncrementCount>();
    }

    private sealed class WaitForEventWorkflow : IWorkflow<CounterData>
    {
        public const string DefinitionId = "wait-for-event";
        public string Id => DefinitionId;
        public int Version => 1;

        public void Build(IWorkflowBuilder<CounterData> builder) => builder
            .StartWith<IncrementCount>()
            .WaitFor(ResumeEventName, data => data.Key)
            .Then<IncrementCount>();
    }
}
