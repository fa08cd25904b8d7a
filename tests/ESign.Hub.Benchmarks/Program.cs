// ESign.Hub load generator. Run from the repository root:
//
//   dotnet run -c Release --project tests/ESign.Hub.Benchmarks -- api [--seconds 10] [--concurrency 32] [--rate 300] [--provider sqlite|postgres] [--connection "<npgsql conn string>"]
//   dotnet run -c Release --project tests/ESign.Hub.Benchmarks -- webhooks [--seconds 10] [--rate 550] [--concurrency 32]
//   dotnet run -c Release --project tests/ESign.Hub.Benchmarks -- finalize [BenchmarkDotNet options]
//   dotnet run -c Release --project tests/ESign.Hub.Benchmarks -- generate [--seconds 10]
//   dotnet run -c Release --project tests/ESign.Hub.Benchmarks -- workflows [--seconds 10] [--warmup 10] [--concurrency 32] [--resumes 2000]
//
// workflows: workflow engines side by side, each alone in this process after its own warm-up: a 10-step sequence and a
// fork/join flow (closed loop, 32 runs in flight), then resume of suspended instances on an event (one at a time,
// p50/p95/p99). For now only WorkflowCore 3.22.0 (in memory); see Workflows/WorkflowBenchmark.
//
// generate: the 2-page contract through the hub's TemplateRenderer + PdfRenderer (warm Chromium) in process, sequential
// and 2 concurrent, next to Debian's wkhtmltopdf CLI in the same run; see GenerateBenchmark.
//
// webhooks: the same hub start, plus a receiver in this process; measures event delivery (throughput, created→received
// latency, signatures, duplicates) under a sustained rate and after a burst; see WebhookScenario.
//
// finalize: BenchmarkDotNet measures PdfSealer in process (flatten fields, audit certificate, seal) on a 10-page
// document with 12 fields and a 30-event timeline; see FinalizeBenchmark. Everything below is the api mode.
//
// It builds and starts the hub (src/ESign.Hub, same configuration) as a child process on a free 127.0.0.1 port with a
// fresh data directory and a bootstrap API key, uploads one small PDF, then measures POST /v1/signature-requests:
// a 3 s warm-up (not reported), a closed-loop "max throughput" phase and an open-loop "fixed rate" phase. It prints a
// table, a markdown block for docs/benchmarks.md and the machine it ran on. Only loopback is contacted; every loop
// ends by itself; the hub process tree and its data directory are removed at the end, also on Ctrl+C or an error.
// Load generator and hub share the machine's cores, so compare results only between runs on the same machine.

using System.Runtime.InteropServices;
using BenchmarkDotNet.Running;
using ESign.Hub.Benchmarks;
using ESign.Hub.Benchmarks.Workflows;

if (args is ["finalize", .. var benchmarkArgs])
{
    var summary = BenchmarkRunner.Run<FinalizeBenchmark>(args: benchmarkArgs);
    return summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success) ? 1 : 0;
}

if (args is ["generate", .. var generateArgs])
{
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
    if (generateArgs is not ([] or ["--seconds", _]) || generateArgs is ["--seconds", var text] && !(int.TryParse(text, out var s) && s > 0))
    {
        Console.Error.WriteLine("Usage: dotnet run -c Release --project tests/ESign.Hub.Benchmarks -- generate [--seconds <n>]");
        return 2;
    }
    var seconds = generateArgs is ["--seconds", var value] ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : 10;
    try
    {
        return await GenerateBenchmark.RunAsync(seconds, stop.Token);
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
        Console.Error.WriteLine("Cancelled.");
        return 130;
    }
}

if (args is ["workflows", .. var workflowArgs])
{
    WorkflowBenchmarkOptions workflowOptions;
    try
    {
        workflowOptions = WorkflowBenchmarkOptions.Parse(workflowArgs);
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        Console.Error.WriteLine(WorkflowBenchmarkOptions.Usage);
        return 2;
    }

    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
    try
    {
        return await WorkflowBenchmark.RunAsync(workflowOptions, stop.Token);
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
        Console.Error.WriteLine("Cancelled.");
        return 130;
    }
}

BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchmarkOptions.Usage);
    return 2;
}

using var cancel = new CancellationTokenSource();
// Ctrl+C (SIGINT) and SIGTERM cancel the run instead of ending this process at once, so the disposal below still
// kills the hub and deletes its data directory. Without these handlers SIGTERM would leave the hub running.
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);

try
{
    var hubAssembly = HubLocator.FindHubAssembly();
    ApiScenario.Progress($"Starting {hubAssembly} ({options.Provider})…");
    await using var hub = HubProcess.Start(hubAssembly, options);
    // Last resort for exits that skip the disposal (Environment.Exit, an unhandled exception on another thread).
    AppDomain.CurrentDomain.ProcessExit += (_, _) => hub.Stop();

    using var client = new HubApiClient(hub.BaseAddress, hub.ApiKey, options.Concurrency);
    await hub.WaitUntilReadyAsync(client.Http, cancel.Token);
    ApiScenario.Progress($"Hub ready at {hub.BaseAddress}.");

    if (options.Scenario == "webhooks")
    {
        await using var receiver = await WebhookReceiver.StartAsync(cancel.Token);
        ApiScenario.Progress($"Receiver listening at {receiver.Url}.");
        var results = await WebhookScenario.RunAsync(client, hub, receiver, options, cancel.Token);
        Console.Write(WebhookReport.Format(options, results, MachineInfo.Current(), HubLocator.BuildConfiguration()));
        return 0;
    }

    var phases = await ApiScenario.RunAsync(client, options, cancel.Token);
    Console.Write(ResultsReport.Format(options, phases, MachineInfo.Current(), HubLocator.BuildConfiguration()));
    return 0;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("Cancelled.");
    return 130;
}
catch (Exception e)
{
    Console.Error.WriteLine($"Benchmark failed: {e.Message}");
    return 1;
}

void Cancel(PosixSignalContext signal)
{
    signal.Cancel = true;
    cancel.Cancel();
}
