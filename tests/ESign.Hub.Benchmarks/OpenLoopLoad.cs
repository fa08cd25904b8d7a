using System.Diagnostics;

namespace ESign.Hub.Benchmarks;

/// <summary>
/// Open loop: request i is due at start + i / rate whether or not earlier ones have answered, as with independent
/// clients. Latency runs from the scheduled time, not the send time, so a stalled hub (or a client that fell behind)
/// shows up in the percentiles instead of silently lowering the rate ("coordinated omission").
/// </summary>
public static class OpenLoopLoad
{
    /// <summary>Bounds client memory and sockets if the hub cannot keep up; waiting for a slot counts as latency.</summary>
    public const int MaxInFlight = 2000;

    public static async Task<PhaseResult> RunAsync(
        string name, HubApiClient client, int rate, TimeSpan duration, CancellationToken ct)
    {
        var total = (long)(rate * duration.TotalSeconds);
        var recorder = new PhaseRecorder();
        // Not disposed: requests still in flight after a Ctrl+C release their slot after the loop has left.
        var slots = new SemaphoreSlim(MaxInFlight);
        var requests = new List<Task>();
        var start = Stopwatch.GetTimestamp();
        // If slots stay taken this long, the rest is reported as not sent rather than stretching the run without end.
        var giveUpAt = start + (long)(2 * duration.TotalSeconds * Stopwatch.Frequency);

        for (long i = 0; i < total; i++)
        {
            var dueAt = start + i * Stopwatch.Frequency / rate;
            await WaitUntilAsync(dueAt, ct);
            var slotWait = TimeSpan.FromTicks(Math.Max(0, giveUpAt - Stopwatch.GetTimestamp()) * TimeSpan.TicksPerSecond / Stopwatch.Frequency);
            if (!await slots.WaitAsync(slotWait, ct))
            {
                for (; i < total; i++) recorder.RecordNotSent();
                break;
            }
            requests.Add(SendAsync(client, recorder, slots, dueAt, ct));
        }
        await Task.WhenAll(requests);
        var elapsed = Stopwatch.GetElapsedTime(start);
        return recorder.Summarize(name, $"open loop, {rate} req/s target", elapsed);
    }

    private static async Task SendAsync(HubApiClient client, PhaseRecorder recorder, SemaphoreSlim slots, long dueAt, CancellationToken ct)
    {
        try
        {
            var outcome = await client.CreateSignatureRequestAsync(ct);
            recorder.Record(outcome, Stopwatch.GetElapsedTime(dueAt).TotalMilliseconds);
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>
    /// Sleeps until the due time when it is more than a millisecond away (timer resolution); a late wake-up is made
    /// up by sending the overdue requests at once, so the average rate stays on target.
    /// </summary>
    private static async Task WaitUntilAsync(long dueAt, CancellationToken ct)
    {
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), dueAt);
        if (remaining > TimeSpan.FromMilliseconds(1)) await Task.Delay(remaining, ct);
    }
}
