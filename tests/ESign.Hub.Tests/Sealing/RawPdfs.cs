using System.Globalization;
using System.Text;

namespace ESign.Hub.Tests.Sealing;

/// <summary>
/// PDFs that TestPdfs cannot make: pages with /Rotate, box offsets or a CropBox, and a filled-in form (AcroForm with a
/// widget and its appearance stream). Objects are numbered from 1 in the order given; object 1 is the catalog.
/// </summary>
public static class RawPdfs
{
    /// <summary>One page with the given page-dictionary entries (e.g. "/MediaBox [100 50 712 842] /Rotate 90").</summary>
    public static byte[] Page(string pageEntries) => Build(
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        $"<< /Type /Page /Parent 2 0 R {pageEntries} /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        Stream("", "BT /F1 12 Tf 150 400 Td (Page content) Tj ET\n"),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");

    /// <summary>A Letter page with a filled-in text field whose appearance shows <paramref name="value"/>.</summary>
    public static byte[] FilledForm(string value) => Build(
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] /DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv 5 0 R >> >> >> >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R /Annots [6 0 R] >>",
        Stream("", "BT /F1 12 Tf 72 700 Td (Order form) Tj ET\n"),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        $"<< /Type /Annot /Subtype /Widget /FT /Tx /T (customer) /V ({value}) /Rect [72 600 372 624] /F 4 /P 3 0 R /AP << /N 7 0 R >> >>",
        Stream("/Type /XObject /Subtype /Form /BBox [0 0 300 24] /Resources << /Font << /Helv 5 0 R >> >>",
            $"/Tx BMC BT /Helv 12 Tf 2 7 Td ({value}) Tj ET EMC\n"));

    private static string Stream(string entries, string content) =>
        $"<< {entries} /Length {Encoding.Latin1.GetByteCount(content)} >>\nstream\n{content}endstream";

    private static byte[] Build(params string[] objects)
    {
        var pdf = new StringBuilder("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(Encoding.Latin1.GetByteCount(pdf.ToString()));
            pdf.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }
        var xref = Encoding.Latin1.GetByteCount(pdf.ToString());
        pdf.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets) pdf.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        pdf.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.Latin1.GetBytes(pdf.ToString());
    }
}
