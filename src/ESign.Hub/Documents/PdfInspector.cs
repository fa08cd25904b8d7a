using PdfSharp.Pdf.IO;

namespace ESign.Hub.Documents;

/// <summary>What we learned about an upload: either its pages or the reason it is not a usable PDF.</summary>
public sealed record PdfInspection(List<PageSize>? Pages, string? Problem)
{
    public bool IsValid => Pages is not null;
}

/// <summary>
/// Checks that bytes are a PDF we can later stamp and seal. Its structure is checked first (<see cref="PdfStructureCheck"/>:
/// no PDF library may see a file that could drive it into unbounded recursion or memory); then we parse with PDFsharp,
/// the library that finalizes the document, so anything accepted here can be finalized later.
/// </summary>
public static class PdfInspector
{
    public static PdfInspection Inspect(byte[] bytes, PdfLimits limits)
    {
        if (!HasPdfHeader(bytes))
            return new(null, "The file is not a PDF: it does not start with the '%PDF-' header.");
        if (PdfStructureCheck.Check(bytes, limits) is { } problem)
            return new(null, problem);
        try
        {
            using var pdf = PdfSharpInput.Open(bytes, PdfDocumentOpenMode.Import);
            if (pdf.PageCount == 0)
                return new(null, "The PDF has no pages.");
            var pages = new List<PageSize>(pdf.PageCount);
            foreach (var page in pdf.Pages)
            {
                // A page rotated by 90° or 270° is shown, and so addressed by fields, with its sides swapped.
                var rotated = (page.Rotate / 90 % 2) != 0;
                // A MediaBox given by its other two corners ([0 0 -612 -792]) is the same page to readers: its size is positive.
                var (w, h) = (Math.Abs(page.Width.Point), Math.Abs(page.Height.Point));
                pages.Add(rotated ? new PageSize(Math.Round(h, 2), Math.Round(w, 2)) : new PageSize(Math.Round(w, 2), Math.Round(h, 2)));
            }
            return new(pages, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // PDFsharp throws several exception types for damaged files; all of them mean the same to the caller.
            return new(null, $"The PDF is damaged and could not be read: {FirstSentence(e.Message)}");
        }
    }

    private static bool HasPdfHeader(ReadOnlySpan<byte> bytes)
    {
        // The header may follow a little garbage (ISO 32000 allows readers to look within the first 1024 bytes).
        var head = bytes[..Math.Min(bytes.Length, 1024)];
        return head.IndexOf("%PDF-"u8) >= 0;
    }

    private static string FirstSentence(string message)
    {
        var line = message.Split('\n')[0].Trim();
        return line.Length > 200 ? line[..200] + "…" : line;
    }
}
