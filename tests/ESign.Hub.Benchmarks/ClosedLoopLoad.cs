using System.Diagnostics;

namespace ESign.Hub.Benchmarks;

/// <summary>
/// Closed loop: each worker sends its next request as soon as the previous one answers. The request rate adapts to
/// the hub, so this finds the maximum throughput; latencies include no queueing in the client.
/// </summary>
public static class ClosedLoopLoad
{
    public static async Task<PhaseResult> RunAsync(
        string name, HubApiClient client, int workers, TimeSpan duration, CancellationToken ct)
    {
        var recorder = new PhaseRecorder();
        var start = Stopwatch.GetTimestamp();
        var stopAt = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var tasks = new Task[workers];
        for (var w = 0; w < workers; w++)
            tasks[w] = Task.Run(() => WorkerAsync(client, recorder, stopAt, ct), ct);
        await Task.WhenAll(tasks);
        // Until the last response: requests sent just before the stop still count, and so does their time.
        var elapsed = Stopwatch.GetElapsedTime(start);
        return recorder.Summarize(name, $"closed loop, {workers} workers", elapsed);
    }

    private static async Task WorkerAsync(HubApiClient client, PhaseRecorder recorder, long stopAt, CancellationToken ct)
    {
        while (Stopwatch.GetTimestamp() < stopAt)
        {
            ct.ThrowIfCancellationRequested();
            var sentAt = Stopwatch.GetTimestamp();
            var outcome = await client.CreateSignatureRequestAsync(ct);
            recorder.Record(outcome, Stopwatch.GetElapsedTime(sentAt).TotalMilliseconds);
        }
    }
}
