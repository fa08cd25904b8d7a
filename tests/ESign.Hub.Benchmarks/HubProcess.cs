using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace ESign.Hub.Benchmarks;

/// <summary>
/// The hub under test, run as its own process (as in production) so its CPU, GC and thread pool are not shared
/// with the load generator. Disposing kills the whole process tree and deletes its fresh data directory.
/// </summary>
public sealed class HubProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private const int OutputLinesKept = 40;

    private readonly Process _process;
    private readonly Queue<string> _outputTail = new();
    private int _disposed;

    public Uri BaseAddress { get; }
    public string ApiKey { get; }
    public string DataDirectory { get; }

    private HubProcess(Process process, Uri baseAddress, string apiKey, string dataDirectory)
    {
        _process = process;
        BaseAddress = baseAddress;
        ApiKey = apiKey;
        DataDirectory = dataDirectory;
    }

    public static HubProcess Start(string hubAssembly, BenchmarkOptions options)
    {
        var port = FreeLoopbackPort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        // A fresh directory per run: the SQLite database and blobs start empty, so runs are comparable.
        var dataDirectory = Directory.CreateTempSubdirectory("esign-hub-bench-").FullName;
        var apiKey = "esk_test_benchmark_" + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 24);

        var start = new ProcessStartInfo("dotnet")
        {
            // The hub reads appsettings.json from its content root, the current directory.
            WorkingDirectory = Path.GetDirectoryName(hubAssembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(hubAssembly);
        var env = start.Environment;
        env["ASPNETCORE_URLS"] = baseAddress.GetLeftPart(UriPartial.Authority);
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["Hub__DataDirectory"] = dataDirectory;
        env["Hub__BootstrapApiKey"] = apiKey;
        // The per-key rate limit would otherwise cap the measurement at 100 requests/s.
        env["Hub__RateLimit__PermitsPerSecond"] = "1000000";
        env["Hub__RateLimit__Burst"] = "1000000";
        // Per-request Information logs to a redirected console would be measured as part of the hub.
        env["Logging__LogLevel__Default"] = "Warning";
        if (options.Provider == "postgres")
        {
            env["Hub__Database__Provider"] = "postgres";
            env["ConnectionStrings__Hub"] = options.Connection;
        }

        var process = new Process { StartInfo = start };
        var hub = new HubProcess(process, baseAddress, apiKey, dataDirectory);
        // Drain both pipes: a full pipe would block the hub's logging and stall it.
        process.OutputDataReceived += (_, e) => hub.KeepOutput(e.Data);
        process.ErrorDataReceived += (_, e) => hub.KeepOutput(e.Data);
        try
        {
            process.Start();
        }
        catch
        {
            TryDeleteDirectory(dataDirectory);
            throw;
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return hub;
    }

    /// <summary>Polls GET /readyz until it answers 200: the database is reachable and migrated.</summary>
    public async Task WaitUntilReadyAsync(HttpClient http, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(ReadyTimeout.TotalSeconds * Stopwatch.Frequency);
        var lastAnswer = "no answer yet";
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                // The parameterless wait also waits until the redirected output has been read to the end.
                _process.WaitForExit();
                throw new InvalidOperationException($"The hub exited with code {_process.ExitCode} before it was ready.\n{OutputTail()}");
            }
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
                attempt.CancelAfter(TimeSpan.FromSeconds(2));
                using var response = await http.GetAsync(new Uri(BaseAddress, "readyz"), attempt.Token);
                if (response.StatusCode == HttpStatusCode.OK) return;
                lastAnswer = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}";
            }
            catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                // Not listening yet, or slow to answer while it migrates; try again.
                lastAnswer = e.GetType().Name;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        }
        throw new TimeoutException($"The hub was not ready within {ReadyTimeout.TotalSeconds:0} s (last answer: {lastAnswer}).\n{OutputTail()}");
    }

    /// <summary>CPU time the hub process has used so far (all its threads), to tell which side of a run saturates the cores.</summary>
    public TimeSpan TotalProcessorTime()
    {
        try
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
        catch (InvalidOperationException)
        {
            return TimeSpan.Zero;
        }
    }

    /// <summary>The hub's last console lines, to explain a failed start.</summary>
    public string OutputTail()
    {
        lock (_outputTail) return string.Join('\n', _outputTail);
    }

    /// <summary>Safe to call more than once and from the process-exit handler; only the first call does the work.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone: nothing to kill.
        }
        _process.Dispose();
        TryDeleteDirectory(DataDirectory);
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private void KeepOutput(string? line)
    {
        if (line is null) return;
        lock (_outputTail)
        {
            _outputTail.Enqueue(line);
            while (_outputTail.Count > OutputLinesKept) _outputTail.Dequeue();
        }
    }

    /// <summary>Asks the OS for a free port. Another process could take it before the hub binds; unlikely on a quiet machine.</summary>
    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void TryDeleteDirectory(string path)
    {
        // The killed process may still hold SQLite files for a moment; retry briefly rather than leave it behind.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
                return;
            }
            catch (IOException) when (attempt < 4)
            {
                Thread.Sleep(200);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"Could not delete {path}: {e.Message}");
                return;
            }
        }
    }
}
