using System.Diagnostics;
using System.Globalization;
using ESign.Hub.Generation;
using ESign.Hub.Samples;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Benchmarks;

/// <summary>
/// The generate mode: the two-page contract rendered by the hub (TemplateRenderer + PdfRenderer, warm Chromium, page
/// pool of 2), sequentially and with 2 concurrent workers, and by the wkhtmltopdf CLI (one process per document) in
/// the same run, printed side by side.
/// </summary>
public static class GenerateBenchmark
{
    private const int SequentialDocuments = 30;
    private const int WkhtmltopdfDocuments = 15;
    private const string Wkhtmltopdf = "/usr/bin/wkhtmltopdf";

    public static async Task<int> RunAsync(int seconds, CancellationToken ct)
    {
        if (!await EnsureWkhtmltopdfAsync(ct)) return 2;

        var options = new RenderOptions();
        var templates = new TemplateRenderer();
        var data = ContractSample.Data();
        await using var pdf = new PdfRenderer(Options.Create(new GenerationOptions()), NullLogger<PdfRenderer>.Instance);

        async Task<byte[]> GenerateAsync() =>
            await pdf.RenderAsync(templates.Render(ContractSample.Template, data, options, ct), options, ct);

        Progress("Starting Chromium and warming up…");
        await pdf.WarmUpAsync(ct);
        for (var i = 0; i < 5; i++) await GenerateAsync();
        // Both pool pages warm too, so the concurrent phase does not pay for a new page.
        await Task.WhenAll(GenerateAsync(), GenerateAsync());

        Progress($"Hub, sequential: {SequentialDocuments} documents…");
        var hubTimes = new List<double>();
        var size = 0;
        for (var i = 0; i < SequentialDocuments; i++)
        {
            var started = Stopwatch.GetTimestamp();
            size = (await GenerateAsync()).Length;
            hubTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        Progress($"Hub, 2 concurrent workers for {seconds} s…");
        var (documents, elapsed) = await ConcurrentAsync(GenerateAsync, workers: 2, TimeSpan.FromSeconds(seconds), ct);

        Progress($"wkhtmltopdf, sequential: {WkhtmltopdfDocuments} documents…");
        var html = templates.Render(ContractSample.Template, data, options, ct);
        var (wkTimes, wkSize) = await WkhtmltopdfAsync(html, ct);

        var hubMedian = Median(hubTimes);
        var wkMedian = Median(wkTimes);
        var rate = documents / elapsed.TotalSeconds;
        Console.Write(string.Create(CultureInfo.InvariantCulture,
            $"""

            Document generation: 2-page contract (A4, template merge + PDF), {MachineInfo.Current()}

            | renderer                                    | median per doc | p90 per doc | PDF size | docs/s, 2 concurrent |
            |---------------------------------------------|---------------:|------------:|---------:|---------------------:|
            | hub: Scriban + PuppeteerSharp, warm, pool 2 | {hubMedian,11:0.0} ms | {Percentile(hubTimes, 0.9),8:0.0} ms | {size / 1024,5} KB | {rate,20:0.0} |
            | wkhtmltopdf CLI, one process per doc        | {wkMedian,11:0.0} ms | {Percentile(wkTimes, 0.9),8:0.0} ms | {wkSize / 1024,5} KB | {"—",20} |

            hub is {wkMedian / hubMedian:0.0}× faster per document (target ≥ 3×: {(wkMedian / hubMedian >= 3 ? "met" : "NOT met")}); {rate:0.0} docs/s with 2 concurrent (target ≥ 15: {(rate >= 15 ? "met" : "NOT met")}); {documents} documents in {elapsed.TotalSeconds:0.0} s.
            wkhtmltopdf ran with --disable-local-file-access --disable-javascript and prints no page numbers (unpatched Qt).

            """));
        return 0;
    }

    private static async Task<(int Documents, TimeSpan Elapsed)> ConcurrentAsync(
        Func<Task<byte[]>> generate, int workers, TimeSpan duration, CancellationToken ct)
    {
        var documents = 0;
        var started = Stopwatch.GetTimestamp();
        var end = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                ct.ThrowIfCancellationRequested();
                await generate();
                Interlocked.Increment(ref documents);
            }
        }));
        return (documents, Stopwatch.GetElapsedTime(started));
    }

    private static async Task<(List<double> Times, int Size)> WkhtmltopdfAsync(string html, CancellationToken ct)
    {
        var folder = Directory.CreateTempSubdirectory("esign-wkhtmltopdf-");
        try
        {
            var input = Path.Combine(folder.FullName, "contract.html");
            var output = Path.Combine(folder.FullName, "contract.pdf");
            await File.WriteAllTextAsync(input, html, ct);
            string[] arguments = ["-q", "--disable-local-file-access", "--disable-javascript", "-s", "A4",
                "-T", "20mm", "-B", "20mm", "-L", "15mm", "-R", "15mm", input, output];

            await RunAsync(arguments, ct); // first run loads the libraries into the page cache; not counted
            var times = new List<double>();
            for (var i = 0; i < WkhtmltopdfDocuments; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await RunAsync(arguments, ct);
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            return (times, (int)new FileInfo(output).Length);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task RunAsync(string[] arguments, CancellationToken ct)
    {
        var start = new ProcessStartInfo(Wkhtmltopdf) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("wkhtmltopdf did not start.");
        var stderr = process.StandardError.ReadToEndAsync(ct);
        _ = process.StandardOutput.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"wkhtmltopdf exited with {process.ExitCode}: {await stderr}");
    }

    // Debian's package; installed here only when running as root (this is a benchmark machine), else explained.
    private static async Task<bool> EnsureWkhtmltopdfAsync(CancellationToken ct)
    {
        if (File.Exists(Wkhtmltopdf)) return true;
        const string install = "apt-get install -y wkhtmltopdf";
        if (Environment.UserName != "root")
        {
            Console.Error.WriteLine($"wkhtmltopdf is not installed; install it with: sudo {install}");
            return false;
        }

        Progress($"wkhtmltopdf is missing; running: {install}");
        using var process = Process.Start(new ProcessStartInfo("apt-get", ["install", "-y", "wkhtmltopdf"]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("apt-get did not start.");
        await process.WaitForExitAsync(ct);
        if (process.ExitCode == 0 && File.Exists(Wkhtmltopdf)) return true;
        Console.Error.WriteLine($"'{install}' failed (exit {process.ExitCode}); try 'apt-get update' first.");
        return false;
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Clamp(Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private static void Progress(string message) => Console.Error.WriteLine(message);
}
