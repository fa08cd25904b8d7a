using System.Globalization;
using System.Text;

namespace ESign.Hub.Benchmarks;

/// <summary>The webhooks results: tables for the terminal and a markdown block for docs/benchmarks.md.</summary>
public static class WebhookReport
{
    private const double TargetEventsPerSecond = 1000;
    private const double TargetP50Ms = 100;

    public static string Format(BenchmarkOptions options, WebhookRunResult run, MachineInfo machine, string hubConfiguration)
    {
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine("ESign.Hub webhook benchmark: create + cancel a signature request → signature_request.sent + .canceled to a loopback receiver");
        text.AppendLine(Invariant($"Database: {options.Provider}, hub build: {hubConfiguration}, phase length: {options.Seconds} s"));
        text.AppendLine($"Machine: {machine}");
        text.AppendLine();
        text.AppendLine("Delivery (latency: event created_at → arrival at the receiver; rates in events/s)");
        text.AppendLine(Invariant(
            $"{"Phase",-10} {"Load",-26} {"Emitted",8} {"Received",8} {"Missing",7} {"Dup",4} {"BadSig",6} {"ev/s win",9} {"ev/s all",9} {"ev/s 1→n",9} {"Tail s",7} {"p50 ms",8} {"p90 ms",8} {"p99 ms",8} {"max ms",8}"));
        text.AppendLine(new string('-', 148));
        foreach (var p in run.Phases)
            text.AppendLine(Invariant(
                $"{p.Name,-10} {p.Load,-26} {p.Emitted,8} {p.Received,8} {p.Missing,7} {p.Duplicates,4} {p.InvalidSignatures,6} {p.InWindowPerSecond,9:0.0} {p.UntilDrainedPerSecond,9:0.0} {p.FirstToLastPerSecond,9:0.0} {p.DrainTail?.TotalSeconds ?? double.NaN,7:0.00} {p.P50Ms,8:0.0} {p.P90Ms,8:0.0} {p.P99Ms,8:0.0} {p.MaxMs,8:0.0}"));
        text.AppendLine("  ev/s win: arrivals during the generation window / window; ev/s all: all events / (phase start → last arrival);");
        text.AppendLine("  ev/s 1→n: events / (first → last arrival); Tail s: last arrival after the load stopped.");
        text.AppendLine();
        text.AppendLine("Load generator and CPU (100 % = one core; gen = while generating, drain = after, until the last arrival)");
        text.AppendLine(Invariant(
            $"{"Phase",-10} {"Window s",8} {"Pairs ok",8} {"Errors",7} {"pairs/s",8} {"pair p50",9} {"pair p99",9} {"hub gen",8} {"bench gen",9} {"recv gen",8} {"hub drain",9} {"bench drain",11}"));
        text.AppendLine(new string('-', 116));
        foreach (var p in run.Phases)
            text.AppendLine(Invariant(
                $"{p.Name,-10} {p.Window.TotalSeconds,8:0.0} {p.Api.Succeeded,8} {p.Api.Errors + p.Api.NotSent,7} {p.Api.SucceededPerSecond,8:0.0} {p.Api.P50Ms,9:0.0} {p.Api.P99Ms,9:0.0} {p.GenerationCpu.HubPercent,7:0}% {p.GenerationCpu.BenchmarkPercent,8:0}% {p.GenerationCpu.ReceiverHandlerPercent,7:0}% {p.DrainCpu.HubPercent,8:0}% {p.DrainCpu.BenchmarkPercent,10:0}%"));
        text.AppendLine("  pair: POST then DELETE of one request (open loop: timed from its scheduled start); recv: time inside the receiver's handler.");
        foreach (var p in run.Phases)
        {
            if (!p.Drained)
                text.AppendLine(Invariant($"{p.Name}: not drained: {p.Missing} of {p.Emitted} events had not arrived when the wait ended."));
            if (p.Api.FirstError is not null)
                text.AppendLine($"{p.Name}: first API error: {Shorten(p.Api.FirstError)}");
        }
        text.AppendLine();
        text.AppendLine("Timeline per second from the phase start (events created by the hub / events received):");
        foreach (var p in run.Phases)
        {
            var seconds = Math.Max(p.CreatedPerSecond.Count, p.ReceivedPerSecond.Count);
            var cells = Enumerable.Range(0, seconds).Select(s =>
                Invariant($"{s}:{(s < p.CreatedPerSecond.Count ? p.CreatedPerSecond[s] : 0)}/{(s < p.ReceivedPerSecond.Count ? p.ReceivedPerSecond[s] : 0)}"));
            text.AppendLine($"  {p.Name,-10} {string.Join(' ', cells)}");
        }
        text.AppendLine(Invariant(
            $"Whole run (incl. probe and warm-up): {run.TotalReceived} deliveries, {run.TotalDuplicates} duplicates, {run.TotalInvalidSignatures} invalid signatures."));

        var sustained = run.Phases.FirstOrDefault(p => p.Name == "sustained");
        if (sustained is not null)
        {
            text.AppendLine(Invariant(
                $"Targets (sustained): ≥ {TargetEventsPerSecond:0} events/s delivered: {sustained.InWindowPerSecond:0} in the window, {Verdict(sustained.InWindowPerSecond >= TargetEventsPerSecond)}; p50 < {TargetP50Ms:0} ms: {sustained.P50Ms:0.0} ms, {Verdict(sustained.P50Ms < TargetP50Ms)}."));
        }

        text.AppendLine();
        text.AppendLine("Markdown for docs/benchmarks.md:");
        text.AppendLine();
        text.AppendLine("| Date | Database | Phase | Load | Emitted | Received | Dup | Bad sig | delivered/s (window) | delivered/s (until drained) | delivered/s (first→last) | p50 ms | p90 ms | p99 ms | max ms |");
        text.AppendLine("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var date = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        foreach (var p in run.Phases)
            text.AppendLine(Invariant(
                $"| {date} | {options.Provider} | {p.Name} | {p.Load}, {options.Seconds} s | {p.Emitted} | {p.Received} | {p.Duplicates} | {p.InvalidSignatures} | {p.InWindowPerSecond:0.0} | {p.UntilDrainedPerSecond:0.0} | {p.FirstToLastPerSecond:0.0} | {p.P50Ms:0.0} | {p.P90Ms:0.0} | {p.P99Ms:0.0} | {p.MaxMs:0.0} |"));
        text.AppendLine();
        text.AppendLine($"Machine: {machine}");
        return text.ToString();
    }

    private static string Verdict(bool met) => met ? "met" : "MISSED";

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Shorten(string error) => error.Length > 600 ? error[..600] + "…" : error;
}
