using System.Text.RegularExpressions;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;

namespace ESign.Hub.Documents;

/// <summary>
/// A text tag found in a PDF, in Dropbox Sign's syntax <c>[type|req|signerN|Label|id]</c>, with its box in points
/// from the page's top-left corner.
/// </summary>
public sealed record TextTag(string Type, bool Required, string Signer, string? Label, string? Id, int Page, double X, double Y, double Width, double Height);

/// <summary>
/// Finds text tags in a PDF with PdfPig (uploaded PDFs). Generated documents do not contain their tags: the renderer
/// measures them, and they are kept beside the PDF (<see cref="DocumentStore.ReadTextTagsAsync"/>).
/// </summary>
public static partial class TextTags
{
    // type | req/noreq | signer | optional label | optional id
    [GeneratedRegex(@"^\[(?<type>[a-z]+)\|(?<req>req|noreq)\|(?<signer>[A-Za-z0-9_\-]+)(\|(?<label>[^|\]]*))?(\|(?<id>[^|\]]*))?\]$")]
    private static partial Regex TagPattern();

    /// <summary>The tags in the PDF, or null when its text cannot be read.</summary>
    public static List<TextTag>? TryFind(byte[] pdf)
    {
        try
        {
            return Find(pdf);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // PdfPig reads some files PDFsharp accepted differently; a file it cannot read simply has no usable tags.
            return null;
        }
    }

    /// <summary>The tag written as <paramref name="text"/> at the given box, or null when the text is not a tag.</summary>
    public static TextTag? Parse(string text, int page, double x, double y, double width, double height)
    {
        var match = TagPattern().Match(text);
        if (!match.Success) return null;
        return new TextTag(
            match.Groups["type"].Value,
            match.Groups["req"].Value == "req",
            match.Groups["signer"].Value,
            NullIfEmpty(match.Groups["label"].Value),
            NullIfEmpty(match.Groups["id"].Value),
            page, x, y, width, height);
    }

    public static List<TextTag> Find(byte[] pdf)
    {
        var tags = new List<TextTag>();
        using var document = PdfDocument.Open(pdf);
        foreach (var page in document.GetPages())
        {
            var words = page.GetWords().ToList();
            for (var i = 0; i < words.Count; i++)
            {
                if (!words[i].Text.StartsWith('[')) continue;
                // A label with spaces is split into several words: join words until the closing bracket.
                var text = words[i].Text;
                var box = words[i].BoundingBox;
                var j = i;
                while (!text.EndsWith(']') && j + 1 < words.Count && j - i < 12 && SameLine(words[j + 1], words[i]))
                {
                    j++;
                    text += " " + words[j].Text;
                    box = Union(box, words[j].BoundingBox);
                }
                var tag = Parse(text, page.Number,
                    Math.Round(box.Left, 2),
                    Math.Round(page.Height - box.Top, 2),   // PdfPig's origin is bottom-left; ours is top-left
                    Math.Round(box.Width, 2),
                    Math.Round(box.Height, 2));
                if (tag is null) continue;
                tags.Add(tag);
                i = j;
            }
        }
        return tags;
    }

    private static bool SameLine(Word a, Word b) => Math.Abs(a.BoundingBox.Bottom - b.BoundingBox.Bottom) < 2;

    private static PdfRectangle Union(PdfRectangle a, PdfRectangle b) =>
        new(Math.Min(a.Left, b.Left), Math.Min(a.Bottom, b.Bottom), Math.Max(a.Right, b.Right), Math.Max(a.Top, b.Top));

    private static string? NullIfEmpty(string s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
