using System.Text;
using Scriban;
using Scriban.Parsing;

namespace ESign.Hub.Generation;

/// <summary>
/// A Scriban context that HTML-escapes the value of every <c>{{ expression }}</c> it writes, so data can never add markup
/// or leave an attribute. The template's own text is written as is.
/// </summary>
internal sealed class HtmlEscapingContext : TemplateContext
{
    public override TemplateContext Write(SourceSpan span, object? textAsObject)
    {
        if (textAsObject is null) return this;
        return base.Write(span, Escape(ObjectToString(textAsObject)));
    }

    // Only the five characters that matter in text and quoted attributes; other characters stay readable (ä, €).
    internal static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.AsSpan().IndexOfAny("&<>\"'") < 0) return text ?? "";
        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': escaped.Append("&amp;"); break;
                case '<': escaped.Append("&lt;"); break;
                case '>': escaped.Append("&gt;"); break;
                case '"': escaped.Append("&quot;"); break;
                case '\'': escaped.Append("&#39;"); break;
                default: escaped.Append(c); break;
            }
        }
        return escaped.ToString();
    }
}
