using System.Diagnostics;

namespace ESign.Hub.Benchmarks;

/// <summary>Delivery figures of one phase. Rates are events per second; times are from the phase start.</summary>
public sealed record WebhookPhaseResult(
    string Name,
    string Load,
    TimeSpan Window,
    PhaseResult Api,
    int Emitted,
    int Received,
    int Duplicates,
    int InvalidSignatures,
    bool Drained,
    int ReceivedInWindow,
    TimeSpan? FirstReceive,
    TimeSpan? LastReceive,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double MaxMs,
    CpuUse GenerationCpu,
    CpuUse DrainCpu,
    IReadOnlyList<int> CreatedPerSecond,
    IReadOnlyList<int> ReceivedPerSecond)
{
    public int Missing => Math.Max(0, Emitted - Received);

    /// <summary>Events of this phase received while it was generating, per second of the generation window.</summary>
    public double InWindowPerSecond => ReceivedInWindow / Window.TotalSeconds;

    /// <summary>All events of this phase over the time from its start to the last one's arrival.</summary>
    public double UntilDrainedPerSecond => LastReceive is { } last && last > TimeSpan.Zero ? Received / last.TotalSeconds : 0;

    /// <summary>Events per second between the phase's first and last arrival: the hub's delivery rate with a queue.</summary>
    public double FirstToLastPerSecond =>
        FirstReceive is { } first && LastReceive is { } last && last > first ? (Received - 1) / (last - first).TotalSeconds : 0;

    /// <summary>From the end of generation to the last arrival.</summary>
    public TimeSpan? DrainTail => LastReceive is { } last ? last - Window : null;
}

/// <summary>CPU used over an interval, in percent of one core (200 % = both cores of a 2-core machine).</summary>
public readonly record struct CpuUse(double HubPercent, double BenchmarkPercent, double ReceiverHandlerPercent);

public sealed record WebhookRunResult(IReadOnlyList<WebhookPhaseResult> Phases, int TotalReceived, int TotalDuplicates, int TotalInvalidSignatures);

/// <summary>
/// The "webhooks" scenario: a webhook endpoint pointing at <see cref="WebhookReceiver"/>, then signature requests
/// created and canceled at once (a <c>signature_request.sent</c> and a <c>signature_request.canceled</c> event each):
/// warm-up, a sustained open-loop rate, then a closed-loop burst whose backlog is timed while it drains. Events are
/// attributed to a phase by the request id in their body, so a previous phase's late deliveries never count.
/// </summary>
public static class WebhookScenario
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan FirstDeliveryTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan WarmUpDrainLimit = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan SustainedDrainLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan BurstDrainLimit = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan SettleBetweenPhases = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(20);

    public static async Task<WebhookRunResult> RunAsync(
        HubApiClient client, HubProcess hub, WebhookReceiver receiver, BenchmarkOptions options, CancellationToken ct)
    {
        var (endpointId, secret) = await client.CreateWebhookEndpointAsync(receiver.Url, ct);
        receiver.UseSecret(secret);
        ApiScenario.Progress($"Webhook endpoint {endpointId} → {receiver.Url}.");

        var documentId = await client.UploadDocumentAsync(SamplePdf.Create(), ct);
        client.PrepareSignatureRequestBody(documentId);
        Progress($"Uploaded {documentId}.");

        // One create+cancel first: if the hub rejects the body or never delivers, say so now.
        var probe = new PhaseTracker();
        var probeRecorder = new PhaseRecorder();
        await CreateAndCancelAsync(client, probe, probeRecorder, Stopwatch.GetTimestamp(), ct);
        var probeResult = probeRecorder.Summarize("probe", "", TimeSpan.Zero);
        if (probeResult.Succeeded == 0)
            throw new InvalidOperationException($"The hub rejected the benchmark's create or cancel: {probeResult.FirstError}");
        var probeDrain = await DrainAsync(receiver, probe, 0, FirstDeliveryTimeout, ct);
        if (!probeDrain.Drained)
            throw new InvalidOperationException(
                $"Only {probeDrain.Matched} of {probe.Emitted} probe events reached {receiver.Url} within {FirstDeliveryTimeout.TotalSeconds:0} s.\n{hub.OutputTail()}");

        var duration = TimeSpan.FromSeconds(options.Seconds);
        // JIT (tiered PGO: see ApiScenario), connection pools, EF Core query cache, and the dispatcher's and sender's
        // own hot paths warm up here at the measured rate; not reported. Its backlog drains before the next phase.
        Progress($"Warm-up: {WarmUp.TotalSeconds:0} s open loop at {options.Rate} create+cancel/s…");
        var warmUp = await RunPhaseAsync("warm-up", $"open loop, {options.Rate} req/s", hub, receiver,
            (tracker, recorder) => OpenLoopAsync(client, tracker, recorder, options.Rate, WarmUp, ct), WarmUpDrainLimit, ct);
        if (warmUp.Api.Succeeded == 0)
            throw new InvalidOperationException($"No create+cancel succeeded during warm-up. First error: {warmUp.Api.FirstError}");
        Progress(Invariant($"Warm-up: {warmUp.Received}/{warmUp.Emitted} events delivered, last {warmUp.DrainTail?.TotalSeconds ?? double.NaN:0.0} s after the load stopped; p50 {warmUp.P50Ms:0.0} ms."));

        await Task.Delay(SettleBetweenPhases, ct);
        Progress($"Sustained: {options.Seconds} s open loop at {options.Rate} create+cancel/s (~{2 * options.Rate} events/s)…");
        var sustained = await RunPhaseAsync("sustained", $"open loop, {options.Rate} req/s", hub, receiver,
            (tracker, recorder) => OpenLoopAsync(client, tracker, recorder, options.Rate, duration, ct), SustainedDrainLimit, ct);

        await Task.Delay(SettleBetweenPhases, ct);
        Progress($"Burst: {options.Seconds} s closed loop, {options.Concurrency} clients creating and canceling…");
        var burst = await RunPhaseAsync("burst", $"closed loop, {options.Concurrency} clients", hub, receiver,
            (tracker, recorder) => ClosedLoopAsync(client, tracker, recorder, options.Concurrency, duration, ct), BurstDrainLimit, ct);

        return new WebhookRunResult([sustained, burst], receiver.Count, receiver.Duplicates, receiver.InvalidSignatures);
    }

    private static async Task<WebhookPhaseResult> RunPhaseAsync(
        string name, string load, HubProcess hub, WebhookReceiver receiver,
        Func<PhaseTracker, PhaseRecorder, Task> generate, TimeSpan drainLimit, CancellationToken ct)
    {
        var tracker = new PhaseTracker();
        var recorder = new PhaseRecorder();
        // Nothing of this phase can have arrived before it starts, so the scan for its events begins here.
        var firstIndex = receiver.Count;
        var atStart = CpuSnapshot.Take(hub, receiver);
        var start = Stopwatch.GetTimestamp();
        var wallStart = DateTimeOffset.UtcNow;

        await generate(tracker, recorder);
        var window = Stopwatch.GetElapsedTime(start);
        var atGenerated = CpuSnapshot.Take(hub, receiver);
        var api = recorder.Summarize(name, load, window);

        var drain = await DrainAsync(receiver, tracker, firstIndex, drainLimit, ct);
        var atDrained = CpuSnapshot.Take(hub, receiver);
        if (!drain.Drained)
            Progress($"{name}: {drain.Matched} of {tracker.Emitted} events arrived within {drainLimit.TotalSeconds:0} s after the load stopped; reporting those.");

        var mine = drain.Deliveries;
        var firsts = mine.Where(d => !d.Duplicate).ToList();
        var latencies = firsts.Where(d => d.CreatedAt is not null).Select(d => (d.ReceivedAt - d.CreatedAt!.Value).TotalMilliseconds).ToArray();
        Array.Sort(latencies);
        var windowEnd = wallStart + window;
        return new WebhookPhaseResult(
            name, load, window, api,
            Emitted: tracker.Emitted,
            Received: firsts.Count,
            Duplicates: mine.Count(d => d.Duplicate),
            InvalidSignatures: mine.Count(d => !d.SignatureValid),
            Drained: drain.Drained,
            ReceivedInWindow: firsts.Count(d => d.ReceivedAt <= windowEnd),
            FirstReceive: firsts.Count > 0 ? firsts.Min(d => d.ReceivedAt) - wallStart : null,
            LastReceive: firsts.Count > 0 ? firsts.Max(d => d.ReceivedAt) - wallStart : null,
            Percentile(latencies, 50), Percentile(latencies, 90), Percentile(latencies, 99), latencies.Length > 0 ? latencies[^1] : double.NaN,
            atGenerated.Since(atStart), atDrained.Since(atGenerated),
            PerSecond(firsts.Where(d => d.CreatedAt is not null).Select(d => d.CreatedAt!.Value - wallStart)),
            PerSecond(firsts.Select(d => d.ReceivedAt - wallStart)));
    }

    private sealed record DrainOutcome(bool Drained, int Matched, List<ReceivedWebhook> Deliveries);

    /// <summary>
    /// Collects the deliveries of this phase's requests (from <paramref name="firstIndex"/> on) until every event it
    /// emitted has arrived or <paramref name="limit"/> has passed since the generation stopped.
    /// </summary>
    private static async Task<DrainOutcome> DrainAsync(
        WebhookReceiver receiver, PhaseTracker tracker, int firstIndex, TimeSpan limit, CancellationToken ct)
    {
        var expected = tracker.ExpectedEvents();
        var mine = new List<ReceivedWebhook>();
        var matched = new HashSet<string>(StringComparer.Ordinal);
        var next = firstIndex;
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var batch = receiver.Since(next);
            next += batch.Count;
            foreach (var d in batch)
            {
                if (d.RequestId is null || !tracker.Owns(d.RequestId)) continue;
                mine.Add(d);
                var key = PhaseTracker.Key(d.RequestId, d.Type);
                if (expected.Contains(key)) matched.Add(key);
            }
            if (matched.Count == expected.Count) return new DrainOutcome(true, matched.Count, mine);
            if (Stopwatch.GetTimestamp() >= deadline) return new DrainOutcome(false, matched.Count, mine);
            await Task.Delay(DrainPoll, ct);
        }
    }

    /// <summary>
    /// Pair i is due at start + i / rate whatever happened to earlier ones; at most <see cref="OpenLoopLoad.MaxInFlight"/>
    /// pairs in flight, and whatever cannot start within twice the duration is counted as not sent.
    /// </summary>
    private static async Task OpenLoopAsync(
        HubApiClient client, PhaseTracker tracker, PhaseRecorder recorder, int rate, TimeSpan duration, CancellationToken ct)
    {
        var total = (long)(rate * duration.TotalSeconds);
        var slots = new SemaphoreSlim(OpenLoopLoad.MaxInFlight);
        var pairs = new List<Task>();
        var start = Stopwatch.GetTimestamp();
        var giveUpAt = start + (long)(2 * duration.TotalSeconds * Stopwatch.Frequency);
        for (long i = 0; i < total; i++)
        {
            var dueAt = start + i * Stopwatch.Frequency / rate;
            var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), dueAt);
            if (remaining > TimeSpan.FromMilliseconds(1)) await Task.Delay(remaining, ct);
            var slotWait = TimeSpan.FromTicks(Math.Max(0, giveUpAt - Stopwatch.GetTimestamp()) * TimeSpan.TicksPerSecond / Stopwatch.Frequency);
            if (!await slots.WaitAsync(slotWait, ct))
            {
                for (; i < total; i++) recorder.RecordNotSent();
                break;
            }
            pairs.Add(ReleaseAfter(CreateAndCancelAsync(client, tracker, recorder, dueAt, ct), slots));
        }
        await Task.WhenAll(pairs);

        static async Task ReleaseAfter(Task pair, SemaphoreSlim slots)
        {
            try
            {
                await pair;
            }
            finally
            {
                slots.Release();
            }
        }
    }

    private static async Task ClosedLoopAsync(
        HubApiClient client, PhaseTracker tracker, PhaseRecorder recorder, int workers, TimeSpan duration, CancellationToken ct)
    {
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var tasks = new Task[workers];
        for (var w = 0; w < workers; w++)
            tasks[w] = Task.Run(async () =>
            {
                while (Stopwatch.GetTimestamp() < stopAt)
                {
                    ct.ThrowIfCancellationRequested();
                    await CreateAndCancelAsync(client, tracker, recorder, Stopwatch.GetTimestamp(), ct);
                }
            }, ct);
        await Task.WhenAll(tasks);
    }

    /// <summary>Creates a request and cancels it as soon as the 201 arrives; records the pair's time from <paramref name="since"/>.</summary>
    private static async Task CreateAndCancelAsync(HubApiClient client, PhaseTracker tracker, PhaseRecorder recorder, long since, CancellationToken ct)
    {
        var created = await client.CreateSignatureRequestWithIdAsync(ct);
        if (created.Id is not { } id)
        {
            recorder.Record(created.Outcome, Stopwatch.GetElapsedTime(since).TotalMilliseconds);
            return;
        }
        tracker.Created(id);
        var canceled = await client.CancelSignatureRequestAsync(id, ct);
        if (canceled.Succeeded) tracker.Canceled(id);
        recorder.Record(canceled, Stopwatch.GetElapsedTime(since).TotalMilliseconds);
    }

    /// <summary>How many of the times fall into each whole second from the phase start (index 0 = first second).</summary>
    private static int[] PerSecond(IEnumerable<TimeSpan> offsets)
    {
        var seconds = offsets.Select(o => Math.Max(0, (int)o.TotalSeconds)).ToList();
        var counts = new int[seconds.Count == 0 ? 0 : seconds.Max() + 1];
        foreach (var second in seconds) counts[second]++;
        return counts;
    }

    private static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private static void Progress(string message) => ApiScenario.Progress(message);

    private static string Invariant(FormattableString value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The requests one phase created, and which of them it canceled: the events it expects to receive.</summary>
    private sealed class PhaseTracker
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, bool> _canceled = new(StringComparer.Ordinal);

        public int Emitted
        {
            get { lock (_gate) return _canceled.Count + _canceled.Values.Count(c => c); }
        }

        public static string Key(string requestId, string? type) => requestId + "|" + type;

        public void Created(string id)
        {
            lock (_gate) _canceled.TryAdd(id, false);
        }

        public void Canceled(string id)
        {
            lock (_gate) _canceled[id] = true;
        }

        public bool Owns(string requestId)
        {
            lock (_gate) return _canceled.ContainsKey(requestId);
        }

        public HashSet<string> ExpectedEvents()
        {
            lock (_gate)
            {
                var keys = new HashSet<string>(2 * _canceled.Count, StringComparer.Ordinal);
                foreach (var (id, canceled) in _canceled)
                {
                    keys.Add(Key(id, "signature_request.sent"));
                    if (canceled) keys.Add(Key(id, "signature_request.canceled"));
                }
                return keys;
            }
        }
    }

    /// <summary>CPU time of the hub, this process and the receiver's handler at one moment.</summary>
    private readonly record struct CpuSnapshot(long At, TimeSpan Hub, TimeSpan Benchmark, TimeSpan Handler)
    {
        public static CpuSnapshot Take(HubProcess hub, WebhookReceiver receiver)
        {
            using var self = Process.GetCurrentProcess();
            return new CpuSnapshot(Stopwatch.GetTimestamp(), hub.TotalProcessorTime(), self.TotalProcessorTime, receiver.HandlerTime);
        }

        public CpuUse Since(CpuSnapshot earlier)
        {
            var wall = Stopwatch.GetElapsedTime(earlier.At, At).TotalMilliseconds;
            if (wall <= 0) return new CpuUse(0, 0, 0);
            return new CpuUse(
                100 * (Hub - earlier.Hub).TotalMilliseconds / wall,
                100 * (Benchmark - earlier.Benchmark).TotalMilliseconds / wall,
                100 * (Handler - earlier.Handler).TotalMilliseconds / wall);
        }
    }
}
