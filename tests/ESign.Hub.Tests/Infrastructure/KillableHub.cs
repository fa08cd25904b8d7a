using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace ESign.Hub.Tests.Infrastructure;

/// <summary>
/// The hub as its own operating-system process on a loopback port, so a test can kill it outright (SIGKILL: no
/// shutdown code runs) and start it again on the same data directory.
/// </summary>
public sealed class KillableHub : IAsyncDisposable
{
    private readonly Process _process;

    public Uri BaseAddress { get; }
    public HttpClient Http { get; }

    private KillableHub(Process process, Uri baseAddress, string apiKey)
    {
        _process = process;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    /// <summary>Starts the hub built beside this test run (src/ESign.Hub/bin/&lt;configuration&gt;) and waits until it is ready.</summary>
    public static async Task<KillableHub> StartAsync(string dataDirectory, string apiKey, IReadOnlyDictionary<string, string> settings)
    {
        // The free port is found by binding and releasing it, so another process can take it before the hub binds:
        // then the hub exits at once, and it is started again on another port.
        for (var attempt = 1; ; attempt++)
        {
            var (hub, failure) = await TryStartAsync(dataDirectory, apiKey, settings);
            if (hub is not null) return hub;
            if (attempt == 3 || !failure.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"The hub process did not become ready: {failure}");
        }
    }

    private static async Task<(KillableHub? Hub, string Failure)> TryStartAsync(string dataDirectory, string apiKey, IReadOnlyDictionary<string, string> settings)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(HubAssembly());
        start.WorkingDirectory = Path.GetDirectoryName(HubAssembly())!;
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["Hub__DataDirectory"] = dataDirectory;
        start.Environment["Hub__BootstrapApiKey"] = apiKey;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        var process = Process.Start(start)!;
        // The last lines the hub wrote, to say why it did not start.
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var hub = new KillableHub(process, new Uri($"http://127.0.0.1:{port}/"), apiKey);
        void Keep(string? line)
        {
            if (line is null) return;
            if (hub._allOutput.Count < 100_000) hub._allOutput.Enqueue(line);
            output.Enqueue(line);
            while (output.Count > 40) output.TryDequeue(out _);
        }
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                if ((await hub.Http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK) return (hub, "");
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        var exited = process.HasExited ? $"it exited with code {process.ExitCode}" : "it was not ready within 60 s";
        await hub.DisposeAsync();
        return (null, $"{exited}; its last output: {string.Join(" | ", output)}");
    }

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _allOutput = new();

    /// <summary>Everything the process wrote (its logs), up to 100,000 lines.</summary>
    public IReadOnlyCollection<string> Output => _allOutput;

    public bool HasExited => _process.HasExited;

    /// <summary>The process's resident memory now (VmRSS in /proc/{pid}/status), in bytes.</summary>
    public long ResidentBytes
    {
        get
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
    }

    /// <summary>SIGKILL: the process gets no chance to finish or clean up anything.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        // Every descendant is found before anything dies: once the hub is gone its Chromium is re-parented to init and
        // Process.Kill(entireProcessTree) no longer finds it (it was left running after every crash test).
        var tree = Descendants(_process.Id);
        _process.Kill(entireProcessTree: true);
        foreach (var pid in tree)
        {
            try
            {
                using var child = Process.GetProcessById(pid);
                child.Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }
        _process.WaitForExit(10_000);
    }

    /// <summary>The process ids below <paramref name="root"/>, from each process's parent id in /proc/{pid}/stat.</summary>
    private static List<int> Descendants(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid)) continue;
            try
            {
                // "pid (name) state ppid …": the name may hold spaces and parentheses, so read after the last ')'.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                if (!children.TryGetValue(parent, out var list)) children[parent] = list = [];
                list.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // The process ended while we looked.
            }
        }
        var found = new List<int>();
        var queue = new Queue<int>([root]);
        while (queue.TryDequeue(out var pid))
        {
            foreach (var child in children.GetValueOrDefault(pid) ?? [])
            {
                found.Add(child);
                queue.Enqueue(child);
            }
        }
        return found;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        Http.Dispose();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static string HubAssembly()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ESign.Hub.sln"))) directory = directory.Parent;
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release" : "Debug";
        var path = Path.Combine(directory?.FullName ?? throw new InvalidOperationException("ESign.Hub.sln not found above the test output."),
            "src", "ESign.Hub", "bin", configuration, "net10.0", "ESign.Hub.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build the hub first.", path);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
