using ESign.Hub.Sealing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ESign.Hub.Tests.Sealing;

/// <summary>
/// The sealing module as the hub composes it (<c>builder.AddPdfSealing()</c>), with its own temporary data directory,
/// so the self-signed certificate is generated there. Settings may name a PKCS#12 file or a timestamp URL.
/// A data directory the host made up itself is deleted with it; one passed in belongs to the caller.
/// </summary>
public sealed class SealingHost : IDisposable
{
    private readonly bool _ownsDataDirectory;

    public SealingHost(string? dataDirectory = null, Dictionary<string, string?>? settings = null)
    {
        _ownsDataDirectory = dataDirectory is null;
        DataDirectory = dataDirectory ?? NewDataDirectory();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings ?? [])
        {
            ["Hub:DataDirectory"] = DataDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(Logs);
        builder.AddPdfSealing();
        App = builder.Build();
    }

    public WebApplication App { get; }
    public string DataDirectory { get; }
    public RecordingLoggerProvider Logs { get; } = new();
    public PdfSealer Sealer => App.Services.GetRequiredService<PdfSealer>();

    /// <summary>Runs the options checks that ValidateOnStart registers, as host start does.</summary>
    public void ValidateOnStart() => App.Services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();

    public static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), "esign-hub-tests", "sealing-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        ((IDisposable)App).Dispose();
        if (_ownsDataDirectory && Directory.Exists(DataDirectory)) Directory.Delete(DataDirectory, recursive: true);
    }
}

/// <summary>Keeps warnings and errors so tests can check what the module logged.</summary>
public sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly List<string> _messages = [];

    public IReadOnlyList<string> Warnings
    {
        get { lock (_messages) return [.. _messages]; }
    }

    public ILogger CreateLogger(string categoryName) => new Recorder(this);

    public void Dispose() { }

    private sealed class Recorder(RecordingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            lock (owner._messages) owner._messages.Add(formatter(state, exception));
        }
    }
}

/// <summary>One host (and one self-signed certificate) shared by the tests of a class.</summary>
public sealed class SealingFixture : IDisposable
{
    public SealingHost Host { get; } = new();
    public PdfSealer Sealer => Host.Sealer;
    public void Dispose() => Host.Dispose();
}
