using System.Globalization;
using System.Text;

namespace ESign.Hub.Benchmarks;

/// <summary>
/// A minimal valid PDF written by hand: one US-Letter page (612 x 792 pt) with a line of Helvetica text. Written here
/// rather than read from a file so the benchmark has no assets, and small so upload time does not matter.
/// </summary>
public static class SamplePdf
{
    public static byte[] Create(string text = "ESign.Hub benchmark document")
    {
        var content = $"BT /F1 18 Tf 72 700 Td ({Escape(text)}) Tj ET\n";
        string[] objects =
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            $"<< /Length {Encoding.Latin1.GetByteCount(content)} >>\nstream\n{content}endstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        ];

        var pdf = new StringBuilder();
        // The binary-marker comment tells transfer tools the file is not plain text.
        pdf.Append("%PDF-1.4\n%\u00E2\u00E3\u00CF\u00D3\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            // Every character is below U+0100 and written as one Latin-1 byte, so the string length is the byte offset.
            offsets.Add(pdf.Length);
            pdf.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }

        // Cross-reference table: each entry is exactly 20 bytes, ending in space + LF.
        var xrefOffset = pdf.Length;
        pdf.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Length + 1}\n");
        pdf.Append("0000000000 65535 f \n");
        foreach (var offset in offsets)
            pdf.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        pdf.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xrefOffset}\n%%EOF\n");
        return Encoding.Latin1.GetBytes(pdf.ToString());
    }

    /// <summary>Backslash and parentheses are the only characters special inside a PDF literal string.</summary>
    private static string Escape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("(", "\\(", StringComparison.Ordinal)
            .Replace(")", "\\)", StringComparison.Ordinal);
}
