using PdfSharp.Pdf;
using PdfSharp.Pdf.IO;

namespace ESign.Hub.Documents;

/// <summary>
/// Every PDFsharp open of a stored or uploaded file goes through here. PDFsharp's lexer loops forever when the end of
/// its input cuts a hex string off (a <c>&lt;</c> with no <c>&gt;</c> after it), and it starts lexing at whatever
/// offsets a file gives (cross-reference entries, <c>startxref</c>), so a <c>&lt;</c> anywhere in the last bytes of a
/// file, even in a comment or in a binary cross-reference stream, can hang a request thread. PDFsharp therefore reads the
/// file followed by <c>\n%&gt;\n</c>: a comment to a lexer reading normally, and the end of the hex string to one that
/// was cut off. Readers ignore bytes after the last <c>%%EOF</c>; the stored file is unchanged.
/// </summary>
internal static class PdfSharpInput
{
    private static readonly byte[] HexStringEnd = "\n%>\n"u8.ToArray();

    public static PdfDocument Open(byte[] pdf, PdfDocumentOpenMode mode)
    {
        var input = new byte[pdf.Length + HexStringEnd.Length];
        pdf.CopyTo(input, 0);
        HexStringEnd.CopyTo(input, pdf.Length);
        return PdfReader.Open(new MemoryStream(input, writable: false), mode);
    }
}
