using System.Diagnostics;

namespace ESign.Hub.Benchmarks;

/// <summary>
/// The "api" scenario: upload one PDF, then create signature requests for it: warm-up, maximum throughput (closed
/// loop), then a fixed rate (open loop). Creating a request is the API's hottest write: it validates, writes the
/// request, signers, fields and audit events in one transaction and returns signing URLs.
/// </summary>
public static class ApiScenario
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan SettleBetweenPhases = TimeSpan.FromSeconds(1);

    public static async Task<IReadOnlyList<PhaseResult>> RunAsync(HubApiClient client, BenchmarkOptions options, CancellationToken ct)
    {
        var documentId = await client.UploadDocumentAsync(SamplePdf.Create(), ct);
        client.PrepareSignatureRequestBody(documentId);
        Progress($"Uploaded {documentId}.");

        // One request first: if the hub rejects the body, say why now rather than after a run full of errors.
        var probe = await client.CreateSignatureRequestAsync(ct);
        if (!probe.Succeeded)
            throw new InvalidOperationException($"The hub rejected the benchmark's signature request: HTTP {probe.Status}: {probe.Error}");

        var duration = TimeSpan.FromSeconds(options.Seconds);
        // JIT, connection pool, EF Core query cache and SQLite page cache warm up here; this phase is not reported.
        Progress($"Warm-up: {WarmUp.TotalSeconds:0} s closed loop, {options.Concurrency} workers…");
        var warmUp = await ClosedLoopLoad.RunAsync("warm-up", client, options.Concurrency, WarmUp, ct);
        if (warmUp.Succeeded == 0)
            throw new InvalidOperationException($"No request succeeded during warm-up. First error: {warmUp.FirstError}");

        Progress($"Max throughput: {options.Seconds} s closed loop, {options.Concurrency} workers…");
        var throughput = await ClosedLoopLoad.RunAsync("max throughput", client, options.Concurrency, duration, ct);

        // Let the hub finish background work (audit writes, WAL checkpoints) so the next phase starts from rest.
        await Task.Delay(SettleBetweenPhases, ct);
        Progress($"Fixed rate: {options.Seconds} s open loop at {options.Rate} req/s…");
        var fixedRate = await OpenLoopLoad.RunAsync("fixed rate", client, options.Rate, duration, ct);

        return [throughput, fixedRate];
    }

    /// <summary>Progress goes to stderr so stdout holds only the results.</summary>
    public static void Progress(string message) =>
        Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
}
