using System.Text.Json;

namespace ESign.Hub.Workflows.Expressions;

/// <summary>A place in an untrusted JSON value that the hub cannot hold, and why.</summary>
public sealed record JsonValueProblem(string Path, string Message);

/// <summary>
/// Checks JSON from outside (run input, event payloads, HTTP trigger bodies, workflow definitions) for values that parse
/// but cannot be held or written back: numbers beyond a double (<c>1e400</c> parses, then becomes infinity, which JSON
/// cannot express) and strings with lone UTF-16 surrogates (<c>"\ud800"</c>, which no UTF-8 text can carry). Found at the
/// door, they are the caller's to fix (a 4xx); found later, they were 500s.
/// </summary>
public static class UntrustedJson
{
    public const string LoneSurrogate = "The string is not valid Unicode: it has a lone UTF-16 surrogate escape such as \\ud800.";
    public const string NulCharacter = "The string contains a NUL character (\\u0000), which text fields cannot hold.";

    public static JsonValueProblem? FindProblem(JsonElement element, string path = "$")
    {
        // Iterative, so a deep value cannot exhaust the stack (the parser's MaxDepth bounds it anyway).
        var pending = new Stack<(JsonElement Element, string Path)>();
        pending.Push((element, path));
        while (pending.TryPop(out var item))
        {
            var (value, at) = item;
            switch (value.ValueKind)
            {
                case JsonValueKind.Number when !value.TryGetDouble(out var number) || !double.IsFinite(number):
                    return new(at, $"The number {Shorten(value.GetRawText())} is out of range: numbers must fit a 64-bit floating point value (about ±1.7e308).");
                case JsonValueKind.String when !IsWellFormed(value):
                    return new(at, LoneSurrogate);
                case JsonValueKind.String when value.GetString()!.Contains('\0', StringComparison.Ordinal):
                    return new(at, NulCharacter);
                case JsonValueKind.Array:
                    var index = 0;
                    foreach (var child in value.EnumerateArray()) pending.Push((child, $"{at}[{index++}]"));
                    break;
                case JsonValueKind.Object:
                    foreach (var property in value.EnumerateObject())
                    {
                        if (!IsWellFormedName(property)) return new(at, "A property name is not valid Unicode: it has a lone UTF-16 surrogate escape such as \\ud800.");
                        if (property.Name.Contains('\0', StringComparison.Ordinal)) return new(at, "A property name contains a NUL character (\\u0000).");
                        pending.Push((property.Value, $"{at}.{property.Name}"));
                    }
                    break;
            }
        }
        return null;
    }

    /// <summary>A string .NET holds (from a script, say) made writable: lone surrogates become U+FFFD, as in a browser.</summary>
    public static string Sanitize(string text) => IsWellFormed(text) ? text : string.Create(text.Length, text, static (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            if (char.IsHighSurrogate(c) && i + 1 < source.Length && char.IsLowSurrogate(source[i + 1]))
            {
                span[i] = c;
                span[++i] = source[i];
            }
            else
            {
                span[i] = char.IsSurrogate(c) ? '\uFFFD' : c;
            }
        }
    });

    public static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i])) continue;
            if (!char.IsHighSurrogate(text[i]) || i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1])) return false;
            i++;
        }
        return true;
    }

    private static bool IsWellFormed(JsonElement value)
    {
        try
        {
            return IsWellFormed(value.GetString()!);
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json refuses to unescape a lone surrogate.
            return false;
        }
    }

    private static bool IsWellFormedName(JsonProperty property)
    {
        try
        {
            return IsWellFormed(property.Name);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
