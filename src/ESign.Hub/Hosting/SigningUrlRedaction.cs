using System.Text.RegularExpressions;

namespace ESign.Hub.Hosting;

/// <summary>
/// A signing link's token is the signer's credential: whoever reads it from a log can sign. Every log line goes through
/// <see cref="RedactingLoggerProvider"/>, which replaces the token in <c>/sign/{token}</c> and <c>/sign/e/{token}</c>,
/// in messages, structured values and scopes (ASP.NET Core's request logging and its RequestPath scope among them).
/// </summary>
public static partial class SigningUrlRedaction
{
    public const string Placeholder = "[redacted]";

    [GeneratedRegex(@"(/sign/(?:e/)?)[^/?#\s""'<>]+")]
    private static partial Regex SigningToken();

    public static string Redact(string text) =>
        text.Contains("/sign/", StringComparison.Ordinal) ? SigningToken().Replace(text, "$1" + Placeholder) : text;

    internal static object? Redact(object? value) => value switch
    {
        string s => Redact(s),
        PathString p => Redact(p.Value ?? ""),
        Uri u => Redact(u.ToString()),
        _ => value,
    };

    /// <summary>Wraps every logging provider registered so far (call once the host's providers are added).</summary>
    public static void RedactSigningUrlsInLogs(this IServiceCollection services)
    {
        for (var i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType != typeof(ILoggerProvider) || descriptor.IsKeyedService) continue;
            services[i] = ServiceDescriptor.Singleton<ILoggerProvider>(sp => new RedactingLoggerProvider(
                descriptor.ImplementationInstance as ILoggerProvider
                ?? descriptor.ImplementationFactory?.Invoke(sp) as ILoggerProvider
                ?? (ILoggerProvider)ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!)));
        }
    }
}

/// <summary>A logging provider that hands its inner provider only redacted messages, values and scopes.</summary>
internal sealed class RedactingLoggerProvider(ILoggerProvider inner) : ILoggerProvider, ISupportExternalScope
{
    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName));

    public void SetScopeProvider(IExternalScopeProvider scopeProvider)
    {
        if (inner is ISupportExternalScope scoped) scoped.SetScopeProvider(new RedactingScopeProvider(scopeProvider));
    }

    public void Dispose() => inner.Dispose();

    private sealed class RedactingLogger(ILogger logger) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => logger.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logger.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = SigningUrlRedaction.Redact(formatter(state, exception));
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.Select(p => new KeyValuePair<string, object?>(p.Key, p.Key == "{OriginalFormat}" ? p.Value : SigningUrlRedaction.Redact(p.Value))).ToList()
                : [];
            logger.Log(logLevel, eventId, new RedactedState(message, values), Redacted(exception), static (s, _) => s.Message);
        }

        /// <summary>Console and file loggers print the exception themselves (type, message, stack): its text is redacted too.</summary>
        private static Exception? Redacted(Exception? exception)
        {
            if (exception is null) return null;
            var text = exception.ToString();
            var redacted = SigningUrlRedaction.Redact(text);
            return ReferenceEquals(text, redacted) || text == redacted ? exception : new RedactedException(exception, redacted);
        }
    }

    /// <summary>An exception whose text named a signing URL, as a logger prints it: type, message and stack, redacted.</summary>
    private sealed class RedactedException(Exception original, string text) : Exception(SigningUrlRedaction.Redact(original.Message))
    {
        public override string? StackTrace => null; // part of the text below

        public override string ToString() => text;
    }

    /// <summary>The structured values a sink may write (JSON console) and the message text, both redacted.</summary>
    private sealed class RedactedState(string message, List<KeyValuePair<string, object?>> values) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public string Message => message;
        public KeyValuePair<string, object?> this[int index] => values[index];
        public int Count => values.Count;
        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => values.GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        public override string ToString() => message;
    }

    private sealed class RedactingScopeProvider(IExternalScopeProvider scopes) : IExternalScopeProvider
    {
        public void ForEachScope<TState>(Action<object?, TState> callback, TState state) =>
            scopes.ForEachScope((scope, s) => callback(Redacted(scope), s), state);

        public IDisposable Push(object? state) => scopes.Push(state);

        private static object? Redacted(object? scope) => scope switch
        {
            IEnumerable<KeyValuePair<string, object?>> pairs => new RedactedState(SigningUrlRedaction.Redact(scope.ToString() ?? ""),
                pairs.Select(p => new KeyValuePair<string, object?>(p.Key, SigningUrlRedaction.Redact(p.Value))).ToList()),
            _ => SigningUrlRedaction.Redact(scope),
        };
    }
}
