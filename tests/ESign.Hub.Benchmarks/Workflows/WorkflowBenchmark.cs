using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ESign.Hub.Benchmarks.Workflows;

/// <summary>
/// One workflow engine as the workflows benchmark drives it. Each delegate may be called by many workers at once;
/// a run or resume counts when the engine itself reports the instance completed, not when a step ran.
/// </summary>
/// <param name="Name">Engine and version, e.g. "WorkflowCore 3.22.0".</param>
/// <param name="Store">Where instances live, e.g. "in memory" or "SQLite (durable)".</param>
/// <param name="RunTenStepAsync">Starts one instance of the 10-step sequence; completes when that instance has completed.</param>
/// <param name="RunForkJoinAsync">
/// Starts one instance of the fork/join flow (a step, 3 parallel branches of 2 steps, join, a step); completes when
/// that instance has completed.
/// </param>
/// <param name="StartWaitingAsync">
/// Starts one instance of the wait-for-event flow (a step, wait for event "go" with the instance's own key, a step)
/// and returns that key once the instance is suspended waiting for it.
/// </param>
/// <param name="ResumeAsync">Publishes event "go" with the key; completes when the waiting instance has completed.</param>
public sealed record EngineUnderTest(
    string Name,
    string Store,
    Func<CancellationToken, Task> RunTenStepAsync,
    Func<CancellationToken, Task> RunForkJoinAsync,
    Func<CancellationToken, Task<string>> StartWaitingAsync,
    Func<string, CancellationToken, Task> ResumeAsync);

/// <summary>Command-line settings of the workflows mode; every one has a default.</summary>
public sealed record WorkflowBenchmarkOptions(int Seconds, int WarmUpSeconds, int Concurrency, int Resumes, string Engines = "all", string? Postgres = null)
{
    public const string Usage =
        """
        Usage: dotnet run -c Release --project tests/ESign.Hub.Benchmarks -- workflows [options]

          --seconds <n>       length of each throughput phase (default 10)
          --warmup <n>        warm-up per engine, split between the two flows, not reported (default 10)
          --concurrency <n>   runs in flight in the throughput phases (default 32)
          --resumes <n>       waiting instances resumed one at a time (default 2000)
          --engines <which>   all (default), hub or workflowcore; the comparison in docs/benchmarks.md uses all
          --postgres <conn>   run the hub's engine on PostgreSQL (a throwaway database on this server) instead of SQLite
        """;

    /// <summary>Parses the arguments after "workflows" or throws <see cref="ArgumentException"/> with a message meant for the user.</summary>
    public static WorkflowBenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var options = new WorkflowBenchmarkOptions(Seconds: 10, WarmUpSeconds: 10, Concurrency: 32, Resumes: 2000);
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (i + 1 >= args.Count) throw new ArgumentException($"Option '{name}' needs a value.");
            var value = args[++i];
            options = name switch
            {
                "--seconds" => options with { Seconds = PositiveInt(name, value) },
                "--warmup" => options with { WarmUpSeconds = PositiveInt(name, value) },
                "--concurrency" => options with { Concurrency = PositiveInt(name, value) },
                "--resumes" => options with { Resumes = PositiveInt(name, value) },
                "--engines" when value is "all" or "hub" or "workflowcore" => options with { Engines = value },
                "--engines" => throw new ArgumentException($"Option '--engines' takes all, hub or workflowcore, not '{value}'."),
                "--postgres" => options with { Postgres = value },
                _ => throw new ArgumentException($"Unknown option '{name}'."),
            };
        }
        return options;
    }

    private static int PositiveInt(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"Option '{name}' needs a positive whole number, not '{value}'.");
}

/// <summary>One measured scenario of one engine, in the units the report prints.</summary>
/// <param name="RunsPerSecond">Completed runs per second of wall time; null for the resume scenario, which is sequential on purpose.</param>
/// <param name="P50Ms">Throughput phases: start → completed per run, queueing included. Resume: event published → completed.</param>
public sealed record ScenarioResult(
    string Engine,
    string Store,
    string Scenario,
    string Load,
    int Completed,
    int Errors,
    string? FirstError,
    double? RunsPerSecond,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double MaxMs);

/// <summary>
/// The workflows mode: each engine alone in this process (started, warmed up, measured, stopped, then the next one)
/// through the same three scenarios: a 10-step sequence and a fork/join flow, each as a closed loop with a fixed
/// number of runs in flight; then resume: many instances suspended on an event, resumed one at a time so each
/// latency is the engine's own, not time spent queued behind other resumes.
/// </summary>
public static class WorkflowBenchmark
{
    // Issue targets for our engine (durable on SQLite); printed next to every engine for comparison.
    private const double TargetTenStepRunsPerSecond = 1_000;
    private const double TargetResumeP50Ms = 10;
    // A run or resume not completed by then counts as an error, so one lost instance cannot hang the benchmark.
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(30);
    private const int ResumeWarmUpInstances = 200;

    public static async Task<int> RunAsync(WorkflowBenchmarkOptions options, CancellationToken ct)
    {
        var results = new List<ScenarioResult>();
        if (options.Engines is "all" or "workflowcore")
        {
            await using var workflowCore = await WorkflowCoreEngine.StartAsync(ct);
            results.AddRange(await MeasureAsync(workflowCore.UnderTest, options, ct));
        }
        if (options.Engines is "all" or "hub")
        {
            await using var ours = await HubWorkflowEngine.StartAsync(options.Postgres, ct);
            results.AddRange(await MeasureAsync(ours.UnderTest, options, ct));
        }

        Console.Write(Format(results, options, MachineInfo.Current()));
        return results.Any(r => r.Errors > 0) ? 1 : 0;
    }

    public static async Task<IReadOnlyList<ScenarioResult>> MeasureAsync(
        EngineUnderTest engine, WorkflowBenchmarkOptions options, CancellationToken ct)
    {
        // Tiered PGO runs hot paths as instrumented code for several seconds; a short warm-up measures that phase
        // instead of the steady state (see docs/benchmarks.md, issue 2). Both flows and the resume path warm up.
        var warmUpPerFlow = TimeSpan.FromSeconds(options.WarmUpSeconds / 2.0);
        Progress($"{engine.Name}: warm-up {options.WarmUpSeconds} s ({warmUpPerFlow.TotalSeconds:0.#} s per flow) and {ResumeWarmUpInstances} resumes…");
        EnsureSomeCompleted("warm-up, 10 steps", await ClosedLoopAsync(engine.RunTenStepAsync, options.Concurrency, warmUpPerFlow, ct));
        EnsureSomeCompleted("warm-up, fork/join", await ClosedLoopAsync(engine.RunForkJoinAsync, options.Concurrency, warmUpPerFlow, ct));
        EnsureSomeCompleted("warm-up, resume", await SuspendThenResumeAsync(engine, ResumeWarmUpInstances, options.Concurrency, ct));

        var duration = TimeSpan.FromSeconds(options.Seconds);
        var closedLoad = $"closed loop, {options.Concurrency} in flight, {options.Seconds} s";
        Progress($"{engine.Name}: 10 steps, {closedLoad}…");
        var tenStep = await ClosedLoopAsync(engine.RunTenStepAsync, options.Concurrency, duration, ct);
        Progress($"{engine.Name}: fork/join, {closedLoad}…");
        var forkJoin = await ClosedLoopAsync(engine.RunForkJoinAsync, options.Concurrency, duration, ct);
        Progress($"{engine.Name}: suspending {options.Resumes} instances, then resuming them one at a time…");
        var resume = await SuspendThenResumeAsync(engine, options.Resumes, options.Concurrency, ct);

        return
        [
            tenStep.Summarize(engine, "10 steps", closedLoad, perSecond: true),
            forkJoin.Summarize(engine, "fork/join", closedLoad, perSecond: true),
            resume.Summarize(engine, "resume on event", $"sequential, {options.Resumes} waiting", perSecond: false),
        ];
    }

    /// <summary>Each worker starts its next run as soon as its previous one completed, until the time is up.</summary>
    private static async Task<Samples> ClosedLoopAsync(
        Func<CancellationToken, Task> run, int workers, TimeSpan duration, CancellationToken ct)
    {
        var samples = new Samples();
        var start = Stopwatch.GetTimestamp();
        var stopAt = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < stopAt)
                await TimeAsync(samples, () => run(ct), ct);
        }, ct)));
        // Until the last run completed: runs started just before the stop count, and so does their time.
        samples.Elapsed = Stopwatch.GetElapsedTime(start);
        return samples;
    }

    /// <summary>
    /// Suspends the instances first, concurrently and untimed; then resumes them one after another, each timed from
    /// publishing the event to the instance's completion.
    /// </summary>
    private static async Task<Samples> SuspendThenResumeAsync(
        EngineUnderTest engine, int instances, int starters, CancellationToken ct)
    {
        var keys = new string[instances];
        await Parallel.ForAsync(0, instances, new ParallelOptions { MaxDegreeOfParallelism = starters, CancellationToken = ct },
            async (i, token) => keys[i] = await engine.StartWaitingAsync(token).WaitAsync(RunTimeout, token));

        var samples = new Samples();
        var start = Stopwatch.GetTimestamp();
        foreach (var key in keys)
            await TimeAsync(samples, () => engine.ResumeAsync(key, ct), ct);
        samples.Elapsed = Stopwatch.GetElapsedTime(start);
        return samples;
    }

    private static async Task TimeAsync(Samples samples, Func<Task> action, CancellationToken ct)
    {
        var startedAt = Stopwatch.GetTimestamp();
        try
        {
            await action().WaitAsync(RunTimeout, ct);
            samples.RecordCompleted(Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            samples.RecordError(e);
        }
    }

    private static void EnsureSomeCompleted(string phase, Samples samples)
    {
        if (samples.Completed == 0)
            throw new InvalidOperationException($"Nothing completed during {phase}. First error: {samples.FirstError}");
    }

    public static string Format(IReadOnlyList<ScenarioResult> results, WorkflowBenchmarkOptions options, MachineInfo machine)
    {
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine("Workflow engines: 10-step sequence, fork/join (3 branches of 2 steps), resume on an event; no I/O in any step");
        text.AppendLine(Invariant($"Warm-up {options.WarmUpSeconds} s per engine (not reported); throughput: {options.Seconds} s per flow with {options.Concurrency} runs in flight; resume: {options.Resumes} suspended instances resumed one at a time"));
        text.AppendLine($"Machine: {machine}");
        text.AppendLine();
        text.AppendLine(Invariant($"{"Engine",-22} {"Store",-18} {"Scenario",-16} {"Load",-34} {"runs/s",8} {"Errors",7} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"max ms",8}"));
        text.AppendLine(new string('-', 145));
        foreach (var r in results)
            text.AppendLine(Invariant(
                $"{r.Engine,-22} {r.Store,-18} {r.Scenario,-16} {r.Load,-34} {RunsPerSecond(r),8} {r.Errors,7} {r.P50Ms,8:0.00} {r.P95Ms,8:0.00} {r.P99Ms,8:0.00} {r.MaxMs,8:0.00}"));
        foreach (var r in results.Where(r => r.FirstError is not null))
            text.AppendLine($"{r.Engine}, {r.Scenario}: first error: {Shorten(r.FirstError!)}");

        text.AppendLine();
        text.AppendLine(Invariant($"Targets for our engine: >= {TargetTenStepRunsPerSecond:N0} completed 10-step runs/s; resume p50 < {TargetResumeP50Ms:0} ms."));
        foreach (var engine in results.GroupBy(r => r.Engine))
        {
            var tenStep = engine.Single(r => r.Scenario == "10 steps").RunsPerSecond ?? 0;
            var resumeP50 = engine.Single(r => r.Scenario == "resume on event").P50Ms;
            text.AppendLine(Invariant(
                $"{engine.Key}: {tenStep:0} 10-step runs/s ({Verdict(tenStep >= TargetTenStepRunsPerSecond)}), resume p50 {resumeP50:0.00} ms ({Verdict(resumeP50 < TargetResumeP50Ms)})."));
        }

        text.AppendLine();
        text.AppendLine("Markdown for docs/benchmarks.md:");
        text.AppendLine();
        text.AppendLine("| Date | Engine | Store | Scenario | Load | runs/s | Errors | p50 ms | p95 ms | p99 ms | max ms |");
        text.AppendLine("|---|---|---|---|---|---:|---:|---:|---:|---:|---:|");
        var date = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        foreach (var r in results)
            text.AppendLine(Invariant(
                $"| {date} | {r.Engine} | {r.Store} | {r.Scenario} | {r.Load} | {RunsPerSecond(r)} | {r.Errors} | {r.P50Ms:0.00} | {r.P95Ms:0.00} | {r.P99Ms:0.00} | {r.MaxMs:0.00} |"));
        text.AppendLine();
        text.AppendLine(Invariant($"Warm-up {options.WarmUpSeconds} s per engine. Machine: {machine}"));
        return text.ToString();
    }

    private static string RunsPerSecond(ScenarioResult r) =>
        r.RunsPerSecond is { } perSecond ? perSecond.ToString("0.0", CultureInfo.InvariantCulture) : "—";

    private static string Verdict(bool met) => met ? "target met" : "target NOT met";

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Shorten(string error) => error.Length > 600 ? error[..600] + "…" : error;

    private static void Progress(string message) => Console.Error.WriteLine(message);

    /// <summary>
    /// Latencies and errors of one phase from concurrent workers. A lock is plenty at these rates (tens of thousands
    /// per second at most) and keeps the code obvious.
    /// </summary>
    private sealed class Samples
    {
        private readonly Lock _gate = new();
        private readonly List<double> _latenciesMs = new(capacity: 64 * 1024);
        private int _errors;

        public TimeSpan Elapsed { get; set; }
        public string? FirstError { get; private set; }

        public int Completed
        {
            get { lock (_gate) return _latenciesMs.Count; }
        }

        public void RecordCompleted(double latencyMs)
        {
            lock (_gate) _latenciesMs.Add(latencyMs);
        }

        public void RecordError(Exception error)
        {
            lock (_gate)
            {
                _errors++;
                FirstError ??= $"{error.GetType().Name}: {error.Message}";
            }
        }

        public ScenarioResult Summarize(EngineUnderTest engine, string scenario, string load, bool perSecond)
        {
            lock (_gate)
            {
                var sorted = _latenciesMs.ToArray();
                Array.Sort(sorted);
                return new ScenarioResult(engine.Name, engine.Store, scenario, load, sorted.Length, _errors, FirstError,
                    perSecond && Elapsed > TimeSpan.Zero ? sorted.Length / Elapsed.TotalSeconds : null,
                    Percentile(sorted, 50), Percentile(sorted, 95), Percentile(sorted, 99),
                    sorted.Length > 0 ? sorted[^1] : double.NaN);
            }
        }

        /// <summary>Nearest rank: the smallest latency that at least p% of the samples did not exceed.</summary>
        private static double Percentile(double[] sorted, double p)
        {
            if (sorted.Length == 0) return double.NaN;
            var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
            return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
        }
    }
}
