using ESign.Hub.Hosting;
using Microsoft.Extensions.Logging;

namespace ESign.Hub.Tests.Hostile;

/// <summary>What the redacting provider hands a logging sink: no signing token in the message, the values or an exception's text.</summary>
public sealed class LogRedactionTests
{
    private const string Token = "tok_Abc123xyz789SecretSigningToken";

    [Fact]
    public void An_exception_whose_text_names_a_signing_url_reaches_the_sink_redacted()
    {
        var sink = new CapturingProvider();
        using var provider = new RedactingLoggerProvider(sink);
        var logger = provider.CreateLogger("test");
        Exception thrown;
        try
        {
            throw new InvalidOperationException($"Could not load https://hub.example/sign/{Token} for the signer");
        }
        catch (InvalidOperationException e)
        {
            thrown = e;
        }

        logger.LogError(thrown, "Signing page {Path} failed", $"/sign/{Token}");

        var (message, exception) = Assert.Single(sink.Entries);
        Assert.DoesNotContain(Token, message, StringComparison.Ordinal);
        Assert.NotNull(exception);
        Assert.DoesNotContain(Token, exception!.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Token, exception.Message, StringComparison.Ordinal);
        Assert.Contains("/sign/[redacted]", exception.ToString(), StringComparison.Ordinal);
        Assert.Contains(nameof(An_exception_whose_text_names_a_signing_url_reaches_the_sink_redacted), exception.ToString(), StringComparison.Ordinal); // the stack stays
    }

    [Fact]
    public void An_exception_without_a_signing_url_reaches_the_sink_as_it_was()
    {
        var sink = new CapturingProvider();
        using var provider = new RedactingLoggerProvider(sink);
        var original = new InvalidOperationException("nothing secret");

        provider.CreateLogger("test").LogError(original, "failed");

        Assert.Same(original, Assert.Single(sink.Entries).Exception);
    }

    private sealed class CapturingProvider : ILoggerProvider
    {
        public List<(string Message, Exception? Exception)> Entries { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Capturing(Entries);

        public void Dispose() { }

        private sealed class Capturing(List<(string, Exception?)> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Add((formatter(state, exception), exception));
        }
    }
}
