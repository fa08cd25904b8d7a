using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace ESign.Hub.Sealing;

/// <summary>
/// Marks test-mode documents on every page: a large translucent diagonal line across the page, which nobody misses on
/// paper, and a banner along the top edge. Text extraction (pdftotext, search) reads the banner; the diagonal's rotated
/// letters come out in pieces, and PDFsharp cannot draw text as outlines to keep them out of it.
/// </summary>
internal static class TestModeWatermark
{
    public const string Text = "TEST \u2013 not legally binding";
    private const double BannerHeight = 16;
    private static readonly XPdfFontOptions Unicode = new(PdfFontEncoding.Unicode);
    private static readonly XFont BannerFont = new(SealingFonts.Family, 9, XFontStyleEx.Bold, Unicode);
    private static readonly XBrush DiagonalBrush = new XSolidBrush(XColor.FromArgb(56, 200, 30, 30));
    private static readonly XBrush BannerBrush = new XSolidBrush(XColor.FromArgb(48, 200, 30, 30));
    private static readonly XBrush BannerTextBrush = new XSolidBrush(XColor.FromArgb(150, 20, 20));

    public static void Apply(PdfDocument document)
    {
        foreach (var page in document.Pages)
        {
            using var graphics = XGraphics.FromPdfPage(page, XGraphicsPdfPageOptions.Append);
            var space = PageSpace.Of(page);
            space.Apply(graphics);

            graphics.DrawRectangle(BannerBrush, 0, 0, space.Width, BannerHeight);
            graphics.DrawString(Text, BannerFont, BannerTextBrush, new XRect(0, 0, space.Width, BannerHeight), XStringFormats.Center);

            var angle = Math.Atan2(space.Height, space.Width) * 180 / Math.PI;
            var diagonal = Math.Sqrt(space.Width * space.Width + space.Height * space.Height);
            var probe = new XFont(SealingFonts.Family, 10, XFontStyleEx.Bold, Unicode);
            // The line spans about 70% of the diagonal whatever the page size.
            var size = 10 * diagonal * 0.7 / graphics.MeasureString(Text, probe).Width;
            graphics.TranslateTransform(space.Width / 2, space.Height / 2);
            graphics.RotateTransform(-angle);
            graphics.DrawString(Text, new XFont(SealingFonts.Family, size, XFontStyleEx.Bold, Unicode), DiagonalBrush,
                new XPoint(0, 0), XStringFormats.Center);
        }
    }
}
