using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ESign.Hub.Generation;
using ESign.Hub.Samples;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Benchmarks;

/// <summary>
/// The generate mode: the two-page contract rendered by the hub's TemplateRenderer + PdfRenderer in this process (warm
/// Chromium, page pool of 2), then end to end through the API of a hub process (<c>POST /v1/documents/generate</c> over
/// HTTP: merge, render, measure the text tags, store the document and answer with its fields), each sequentially and
/// with 2 concurrent clients, and by the wkhtmltopdf CLI (one process per document) in the same run, side by side.
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
        // One Chromium at a time on the machine: the hub process below starts its own.
        await pdf.DisposeAsync();

        var api = await ApiAsync(seconds, ct);

        Progress($"wkhtmltopdf, sequential: {WkhtmltopdfDocuments} documents…");
        var html = templates.Render(ContractSample.Template, data, options, ct);
        var (wkTimes, wkSize) = await WkhtmltopdfAsync(html, ct);

        var hubMedian = Median(hubTimes);
        var wkMedian = Median(wkTimes);
        var apiMedian = Median(api.GenerateTimes);
        var rate = documents / elapsed.TotalSeconds;
        var apiRate = api.Documents / api.Elapsed.TotalSeconds;
        Console.Write(string.Create(CultureInfo.InvariantCulture,
            $"""

            Document generation: 2-page contract (A4, template merge + PDF), {MachineInfo.Current()}

            | renderer                                                     | median per doc | p90 per doc | PDF size | docs/s, 2 concurrent |
            |--------------------------------------------------------------|---------------:|------------:|---------:|---------------------:|
            | hub in process: Scriban + PuppeteerSharp, warm, pool 2       | {hubMedian,11:0.0} ms | {Percentile(hubTimes, 0.9),8:0.0} ms | {size / 1024,5} KB | {rate,20:0.0} |
            | hub API: POST /v1/templates/{"{id}"}/preview (render only)   | {Median(api.PreviewTimes),11:0.0} ms | {Percentile(api.PreviewTimes, 0.9),8:0.0} ms | {"",8} | {"—",20} |
            | hub API: POST /v1/documents/generate (render + store), HTTP  | {apiMedian,11:0.0} ms | {Percentile(api.GenerateTimes, 0.9),8:0.0} ms | {api.Size / 1024,5} KB | {apiRate,20:0.0} |
            | wkhtmltopdf CLI, one process per doc                         | {wkMedian,11:0.0} ms | {Percentile(wkTimes, 0.9),8:0.0} ms | {wkSize / 1024,5} KB | {"—",20} |

            in process: {wkMedian / hubMedian:0.0}× faster per document than wkhtmltopdf; {rate:0.0} docs/s with 2 concurrent.
            end to end (API): {wkMedian / apiMedian:0.0}× faster per document (target ≥ 3×: {(wkMedian / apiMedian >= 3 ? "met" : "NOT met")}); {apiRate:0.0} generated documents/s with 2 concurrent clients (target ≥ 15: {(apiRate >= 15 ? "met" : "NOT met")}); {api.Documents} documents in {api.Elapsed.TotalSeconds:0.0} s.
            wkhtmltopdf ran with --disable-local-file-access --disable-javascript and prints no page numbers (unpatched Qt).

            """));
        return 0;
    }

    private sealed record ApiResult(List<double> PreviewTimes, List<double> GenerateTimes, int Size, int Documents, TimeSpan Elapsed);

    // The hub as a process on loopback with a fresh SQLite data directory, as the api benchmark starts it.
    private static async Task<ApiResult> ApiAsync(int seconds, CancellationToken ct)
    {
        var hubAssembly = HubLocator.FindHubAssembly();
        Progress($"Starting {hubAssembly}…");
        var options = new BenchmarkOptions("generate", seconds, Concurrency: 2, Rate: 0, Provider: "sqlite", Connection: null);
        await using var hub = HubProcess.Start(hubAssembly, options);
        using var client = new HubApiClient(hub.BaseAddress, hub.ApiKey, concurrency: 2);
        await hub.WaitUntilReadyAsync(client.Http, ct);

        using var created = await client.Http.PostAsJsonAsync("/v1/templates", new
        {
            name = "Service agreement", kind = "html", content = ContractSample.Template, roles = new[] { "signer1", "signer2" },
        }, ct);
        if (!created.IsSuccessStatusCode)
            throw new InvalidOperationException($"The hub refused the template: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync(ct)}");
        var templateId = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!;
        var body = JsonSerializer.SerializeToUtf8Bytes(new { template_id = templateId, data = ContractSample.Data() });
        var previewBody = JsonSerializer.SerializeToUtf8Bytes(new { data = ContractSample.Data() });

        async Task<int> PostAsync(string path, byte[] json)
        {
            using var content = new ByteArrayContent(json);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await client.Http.PostAsync(path, content, ct);
            var answer = await response.Content.ReadAsByteArrayAsync(ct);
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(answer)}");
            return answer.Length;
        }

        var generatedSize = 0;
        async Task<byte[]> GenerateAsync()
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await client.Http.PostAsync("/v1/documents/generate", content, ct);
            var answer = await response.Content.ReadAsByteArrayAsync(ct);
            if (response.StatusCode != HttpStatusCode.Created)
                throw new InvalidOperationException($"generate answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(answer)}");
            using var json = JsonDocument.Parse(answer);
            if (json.RootElement.GetProperty("fields").GetArrayLength() != 4)
                throw new InvalidOperationException($"generate returned other fields than the contract's 4 tags: {System.Text.Encoding.UTF8.GetString(answer)}");
            generatedSize = json.RootElement.GetProperty("document").GetProperty("size_bytes").GetInt32();
            return answer;
        }

        // JIT, tiered PGO, EF Core, the connection pool and both Chromium pages warm up here; not reported.
        Progress("Hub API, warm-up…");
        for (var i = 0; i < 10; i++) await PostAsync($"/v1/templates/{templateId}/preview", previewBody);
        await ConcurrentAsync(GenerateAsync, workers: 2, TimeSpan.FromSeconds(5), ct);

        Progress($"Hub API, sequential: {SequentialDocuments} previews, then {SequentialDocuments} generated documents…");
        var previewTimes = new List<double>();
        for (var i = 0; i < SequentialDocuments; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await PostAsync($"/v1/templates/{templateId}/preview", previewBody);
            previewTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        var generateTimes = new List<double>();
        for (var i = 0; i < SequentialDocuments; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await GenerateAsync();
            generateTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        Progress($"Hub API, 2 concurrent clients for {seconds} s…");
        var (documents, elapsed) = await ConcurrentAsync(GenerateAsync, workers: 2, TimeSpan.FromSeconds(seconds), ct);
        return new ApiResult(previewTimes, generateTimes, generatedSize, documents, elapsed);
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
