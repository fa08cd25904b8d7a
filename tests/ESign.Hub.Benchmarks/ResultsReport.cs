using System.Globalization;
using System.Text;

namespace ESign.Hub.Benchmarks;

/// <summary>Formats the results twice: a table for people at the terminal and a markdown block for docs/benchmarks.md.</summary>
public static class ResultsReport
{
    public static string Format(BenchmarkOptions options, IReadOnlyList<PhaseResult> phases, MachineInfo machine, string hubConfiguration)
    {
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine("ESign.Hub API benchmark: POST /v1/signature-requests (2 signers, 2 signature fields, sequential)");
        text.AppendLine(Invariant($"Database: {options.Provider}, hub build: {hubConfiguration}, phase length: {options.Seconds} s"));
        text.AppendLine($"Machine: {machine}");
        text.AppendLine();
        text.AppendLine(Invariant($"{"Phase",-16} {"Load",-30} {"Time s",7} {"201s",8} {"Errors",7} {"201/s",8} {"p50 ms",8} {"p90 ms",8} {"p99 ms",8} {"max ms",8}"));
        text.AppendLine(new string('-', 121));
        foreach (var p in phases)
            text.AppendLine(Invariant(
                $"{p.Name,-16} {p.Load,-30} {p.Elapsed.TotalSeconds,7:0.0} {p.Succeeded,8} {p.Errors + p.NotSent,7} {p.SucceededPerSecond,8:0.0} {p.P50Ms,8:0.0} {p.P90Ms,8:0.0} {p.P99Ms,8:0.0} {p.MaxMs,8:0.0}"));
        foreach (var p in phases)
        {
            if (p.NotSent > 0)
                text.AppendLine(Invariant($"{p.Name}: {p.NotSent} scheduled requests were not sent ({OpenLoopLoad.MaxInFlight} in flight for too long)."));
            if (p.FirstError is not null)
                text.AppendLine($"{p.Name}: first error: {Shorten(p.FirstError)}");
        }

        text.AppendLine();
        text.AppendLine("Markdown for docs/benchmarks.md:");
        text.AppendLine();
        text.AppendLine("| Date | Database | Phase | Load | 201/s | Errors | p50 ms | p90 ms | p99 ms | max ms |");
        text.AppendLine("|---|---|---|---|---:|---:|---:|---:|---:|---:|");
        var date = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        foreach (var p in phases)
            text.AppendLine(Invariant(
                $"| {date} | {options.Provider} | {p.Name} | {p.Load}, {options.Seconds} s | {p.SucceededPerSecond:0.0} | {p.Errors + p.NotSent} | {p.P50Ms:0.0} | {p.P90Ms:0.0} | {p.P99Ms:0.0} | {p.MaxMs:0.0} |"));
        text.AppendLine();
        text.AppendLine($"Machine: {machine}");
        return text.ToString();
    }

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Shorten(string error) => error.Length > 600 ? error[..600] + "…" : error;
}
