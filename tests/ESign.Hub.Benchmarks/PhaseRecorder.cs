namespace ESign.Hub.Benchmarks;

/// <summary>Summary of one measured phase, in the units the report prints.</summary>
public sealed record PhaseResult(
    string Name,
    string Load,
    TimeSpan Elapsed,
    int Succeeded,
    int Errors,
    int NotSent,
    string? FirstError,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double MaxMs)
{
    /// <summary>Successful (201) requests per second of wall time, from the phase start to its last response.</summary>
    public double SucceededPerSecond => Elapsed.TotalSeconds > 0 ? Succeeded / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Collects latencies and outcomes from concurrent requests. A lock is plenty at these rates (thousands per second)
/// and keeps the code obvious. Latencies of failed requests are kept too: a fast error is still a response.
/// </summary>
public sealed class PhaseRecorder
{
    private readonly Lock _gate = new();
    private readonly List<double> _latenciesMs = new(capacity: 64 * 1024);
    private int _succeeded;
    private int _errors;
    private int _notSent;
    private string? _firstError;

    public void Record(RequestOutcome outcome, double latencyMs)
    {
        lock (_gate)
        {
            _latenciesMs.Add(latencyMs);
            if (outcome.Succeeded)
            {
                _succeeded++;
                return;
            }
            _errors++;
            _firstError ??= outcome.Status == 0 ? outcome.Error : $"HTTP {outcome.Status}: {outcome.Error}";
        }
    }

    /// <summary>A scheduled request the open loop could not send before the phase's hard stop.</summary>
    public void RecordNotSent()
    {
        lock (_gate) _notSent++;
    }

    public PhaseResult Summarize(string name, string load, TimeSpan elapsed)
    {
        lock (_gate)
        {
            var sorted = _latenciesMs.ToArray();
            Array.Sort(sorted);
            return new PhaseResult(name, load, elapsed, _succeeded, _errors, _notSent, _firstError,
                Percentile(sorted, 50), Percentile(sorted, 90), Percentile(sorted, 99), sorted.Length > 0 ? sorted[^1] : double.NaN);
        }
    }

    /// <summary>Nearest-rank percentile: the smallest latency that at least p% of requests did not exceed.</summary>
    private static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
