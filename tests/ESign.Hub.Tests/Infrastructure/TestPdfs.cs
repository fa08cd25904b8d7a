using System.Globalization;
using System.Text;

namespace ESign.Hub.Tests.Infrastructure;

/// <summary>
/// Small, valid PDFs written byte by byte (standard Helvetica, no embedded fonts), so tests control exactly what a page
/// holds: its size and the text on it, such as text tags.
/// </summary>
public static class TestPdfs
{
    public const double LetterWidth = 612, LetterHeight = 792;

    /// <summary>A PDF with <paramref name="pages"/> US Letter pages, each saying "Page N".</summary>
    public static byte[] Letter(int pages = 1) =>
        Build(Enumerable.Range(1, pages).Select(n => new TestPage(LetterWidth, LetterHeight, [new TestText(72, 72, $"Page {n}")])).ToList());

    /// <summary>
    /// A valid one-page PDF of exactly <paramref name="totalBytes"/> bytes: comment lines after the header make up the size
    /// (readers skip them), so limits can be tested to the byte.
    /// </summary>
    public static byte[] OfSize(long totalBytes)
    {
        var pages = new List<TestPage> { new(LetterWidth, LetterHeight, [new TestText(72, 72, "Page 1")]) };
        var padding = Math.Max(0, totalBytes - Build(pages).Length);
        // The xref offsets grow with the padding, and so may the digits of startxref: adjust until the size is exact.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var pdf = Build(pages, padding);
            if (pdf.Length == totalBytes) return pdf;
            padding += totalBytes - pdf.Length;
        }
        throw new InvalidOperationException($"Could not build a PDF of exactly {totalBytes} bytes.");
    }

    public static byte[] Build(IReadOnlyList<TestPage> pages, long commentBytes = 0)
    {
        var objects = new List<string>
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "", // pages tree, filled in below once kids are known
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        };
        var kids = new List<int>();
        foreach (var page in pages)
        {
            var content = new StringBuilder();
            foreach (var t in page.Texts)
                // Text positions are given from the top-left; PDF user space starts bottom-left at the baseline.
                content.Append(CultureInfo.InvariantCulture, $"BT /F1 {t.Size} Tf {t.X} {page.Height - t.Y - t.Size} Td ({Escape(t.Text)}) Tj ET\n");
            var stream = content.ToString();
            objects.Add($"<< /Length {Encoding.Latin1.GetByteCount(stream)} >>\nstream\n{stream}endstream");
            var contentId = objects.Count;
            objects.Add(string.Create(CultureInfo.InvariantCulture,
                $"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {page.Width} {page.Height}] /Resources << /Font << /F1 3 0 R >> >> /Contents {contentId} 0 R >>"));
            kids.Add(objects.Count);
        }
        objects[1] = $"<< /Type /Pages /Kids [{string.Join(" ", kids.Select(k => $"{k} 0 R"))}] /Count {kids.Count} >>";

        var pdf = new StringBuilder("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n");
        for (var left = commentBytes; left > 0; left -= 1024)
        {
            var line = (int)Math.Min(1024, left);
            if (line >= 2) pdf.Append('%').Append('x', line - 2);
            pdf.Append('\n');
        }
        var offsets = new List<int>();
        for (var i = 0; i < objects.Count; i++)
        {
            offsets.Add(pdf.Length); // every character is Latin-1: one byte each
            pdf.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }
        var xref = pdf.Length;
        pdf.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets) pdf.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        pdf.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.Latin1.GetBytes(pdf.ToString());
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("(", "\\(").Replace(")", "\\)");
}

public sealed record TestPage(double Width, double Height, IReadOnlyList<TestText> Texts);

/// <summary>Text whose top-left corner is at (X, Y) points from the page's top-left.</summary>
public sealed record TestText(double X, double Y, string Text, double Size = 12);
