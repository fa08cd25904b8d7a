using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Scriban;
using Scriban.Parsing;
using Scriban.Syntax;

namespace ESign.Hub.Generation;

/// <summary>
/// Merges JSON data into a Scriban template and returns HTML, inside a sandbox: no .NET member access, no includes,
/// strict variables and members, and limits on loops, recursion, output size and time. Every expression's output is
/// HTML-escaped. Thread-safe; meant to be a singleton.
/// </summary>
public sealed class TemplateRenderer
{
    public const int MaxTemplateBytes = 512 * 1024;
    public const int MaxOutputChars = 512 * 1024;
    public static readonly TimeSpan RenderTimeLimit = TimeSpan.FromSeconds(2);

    // Per match, wall clock: far above what a sane pattern needs even on a loaded machine (100 ms once tripped on an
    // ordinary match during a CI run), far below the whole render's limit.
    private static readonly TimeSpan RegexTimeLimit = TimeSpan.FromMilliseconds(250);

    // Parsed templates by SHA-256 of their text. Cleared when full: templates are few and a parse costs well under 1 ms.
    private const int CacheCapacity = 256;
    private readonly ConcurrentDictionary<string, Template> _parsed = new(StringComparer.Ordinal);

    /// <summary>Parses a template: throws <see cref="TemplateProblem"/> (with 1-based line/column) on a syntax error.</summary>
    public void Validate(string template) => Parse(template);

    /// <summary>
    /// Merges <paramref name="data"/> (a JSON object whose top-level keys become template variables) into the template
    /// and returns HTML. Throws <see cref="TemplateProblem"/> for syntax errors, missing variables or members, and any
    /// sandbox limit; <see cref="OperationCanceledException"/> only when <paramref name="ct"/> is canceled.
    /// </summary>
    public string Render(string template, JsonElement data, RenderOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (data.ValueKind != JsonValueKind.Object)
            throw new TemplateProblem($"The data must be a JSON object, not {data.ValueKind}.");
        var parsed = Parse(template);
        var culture = CultureOf(options);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(RenderTimeLimit);
        var context = new HtmlEscapingContext
        {
            StrictVariables = true,
            EnableRelaxedMemberAccess = false,
            EnableRelaxedFunctionAccess = false,
            EnableRelaxedTargetAccess = false,
            LoopLimit = 1000,
            RecursiveLimit = 50,
            // LimitToString silently truncates the whole output (even with Throw), so OutputLimit stays below it and throws first.
            OutputLimit = MaxOutputChars,
            OnOutputLimit = ScriptLimitBehavior.Throw,
            LimitToString = 1024 * 1024,
            OnStringLimit = ScriptLimitBehavior.Throw,
            RegexTimeOut = RegexTimeLimit,
            CancellationToken = deadline.Token,
            TemplateLoader = null,
            // No .NET object reaches the template, but keep reflection closed in case one ever does.
            MemberFilter = _ => false,
        };
        context.PushCulture(culture);
        context.PushGlobal(TemplateData.ToScriptObject(data));
        context.PushGlobal(TemplateHelpers.Create(culture));
        // Assignments made by the template land here, not in the data or the helpers.
        context.PushGlobal(new Scriban.Runtime.ScriptObject());

        try
        {
            return parsed.Render(context);
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is ScriptAbortException or OperationCanceledException)
        {
            throw new OperationCanceledException("The render was canceled.", e, ct);
        }
        catch (Exception e) when (e is ScriptAbortException or OperationCanceledException)
        {
            throw new TemplateProblem($"The template took longer than {RenderTimeLimit.TotalSeconds:0} s to render.");
        }
        catch (Exception e) when (IsRegexTimeout(e))
        {
            // Scriban may wrap the timeout in its own runtime exception; either way it gets one message.
            throw new TemplateProblem($"A regular expression in the template took longer than {RegexTimeLimit.TotalMilliseconds:0} ms.");
        }
        catch (ScriptRuntimeException e)
        {
            var (line, column) = Position(e.Span);
            throw new TemplateProblem(Describe(e), line, column);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or OverflowException
                                    or InvalidCastException)
        {
            throw new TemplateProblem(e.Message);
        }
    }

    private static bool IsRegexTimeout(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is RegexMatchTimeoutException) return true;
        return false;
    }

    private Template Parse(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var bytes = Encoding.UTF8.GetByteCount(template);
        if (bytes > MaxTemplateBytes)
            throw new TemplateProblem($"The template is {bytes / 1024} KB; the limit is {MaxTemplateBytes / 1024} KB.");

        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(template)));
        if (_parsed.TryGetValue(key, out var cached)) return cached;

        var parsed = Template.Parse(template);
        if (parsed.HasErrors)
        {
            var error = parsed.Messages.First(m => m.Type == ParserMessageType.Error);
            var (line, column) = Position(error.Span);
            throw new TemplateProblem($"Syntax error at line {line}, column {column}: {error.Message}", line, column);
        }
        if (_parsed.Count >= CacheCapacity) _parsed.Clear();
        _parsed[key] = parsed;
        return parsed;
    }

    private static CultureInfo CultureOf(RenderOptions options)
    {
        try
        {
            return CultureInfo.GetCultureInfo(options.Culture, predefinedOnly: true);
        }
        catch (CultureNotFoundException)
        {
            throw new TemplateProblem($"'{options.Culture}' is not a known culture.");
        }
    }

    // Scriban positions are 0-based.
    private static (int? Line, int? Column) Position(SourceSpan span) =>
        span.IsEmpty && span.Start.Line < 0 ? (null, null) : (span.Start.Line + 1, span.Start.Column + 1);

    private static string Describe(ScriptRuntimeException e)
    {
        var message = e.OriginalMessage;
        // A helper's own ArgumentException ("money: 'x' is not a number.") says more than Scriban's wrapper.
        if (e.InnerException is ArgumentException inner) message = inner.Message;
        return e.Span.IsEmpty ? message : $"{message} (line {e.Span.Start.Line + 1}, column {e.Span.Start.Column + 1})";
    }
}
