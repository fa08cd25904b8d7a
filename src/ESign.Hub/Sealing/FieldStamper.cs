using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace ESign.Hub.Sealing;

/// <summary>
/// Draws field values onto their pages. Every field is checked before the first one is drawn, so a bad field fails the
/// seal with an <see cref="ArgumentException"/> that names it, instead of half a document or an error from deep inside
/// PDFsharp. A box that sticks out of its page is clamped to the page; one wholly outside it is an error.
/// </summary>
internal static class FieldStamper
{
    private const double MinimumFontSize = 1;
    private static readonly XColor Ink = XColor.FromArgb(16, 32, 96);
    private static readonly XPdfFontOptions Unicode = new(PdfFontEncoding.Unicode);

    public static void Stamp(PdfDocument document, IReadOnlyList<StampedField> fields)
    {
        var prepared = fields.Select((field, index) => Prepare(document, field, index)).ToList();
        try
        {
            Draw(document, prepared);
        }
        finally
        {
            foreach (var field in prepared) field.Image?.Dispose();
        }
    }

    private static void Draw(PdfDocument document, List<PreparedField> prepared)
    {
        foreach (var page in prepared.GroupBy(p => p.Field.Page))
        {
            var pdfPage = document.Pages[page.Key - 1];
            using var graphics = XGraphics.FromPdfPage(pdfPage, XGraphicsPdfPageOptions.Append);
            PageSpace.Of(pdfPage).Apply(graphics);
            foreach (var field in page)
            {
                if (field.Image is not null) DrawImage(graphics, field.Image, field.Box);
                else if (field.Field.Checked is { } isChecked) DrawCheckbox(graphics, isChecked, field.Box);
                else DrawText(graphics, field.Text!, field.Box);
            }
        }
    }

    private sealed record PreparedField(StampedField Field, XRect Box, XImage? Image, string? Text);

    private static PreparedField Prepare(PdfDocument document, StampedField field, int index)
    {
        var name = $"Field {index + 1} ({field.Type}, page {field.Page})";
        var values = (field.Text is not null ? 1 : 0) + (field.Image is not null ? 1 : 0) + (field.Checked is not null ? 1 : 0);
        if (values != 1)
            throw new ArgumentException($"{name} must have exactly one of Text, Image or Checked set; it has {values}.", nameof(SealInput.Fields));
        if (field.Page < 1 || field.Page > document.PageCount)
            throw new ArgumentException($"{name} is on page {field.Page}, but the document has {document.PageCount} page(s).", nameof(SealInput.Fields));
        if (!double.IsFinite(field.X) || !double.IsFinite(field.Y) || !(field.Width > 0) || !(field.Height > 0)
            || !double.IsFinite(field.Width) || !double.IsFinite(field.Height))
            throw new ArgumentException($"{name} needs a finite position and a positive width and height.", nameof(SealInput.Fields));

        var space = PageSpace.Of(document.Pages[field.Page - 1]);
        var box = XRect.Intersect(new XRect(field.X, field.Y, field.Width, field.Height), new XRect(0, 0, space.Width, space.Height));
        if (box.IsEmpty || box.Width <= 0 || box.Height <= 0)
            throw new ArgumentException(
                $"{name} at ({field.X:0.##}, {field.Y:0.##}) lies outside its page ({space.Width:0.##} x {space.Height:0.##} pt).", nameof(SealInput.Fields));

        XImage? image = null;
        if (field.Image is not null)
        {
            try
            {
                image = XImage.FromStream(new MemoryStream(field.Image, writable: false));
                if (image.PixelWidth <= 0 || image.PixelHeight <= 0) throw new InvalidDataException("The image has no pixels.");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new ArgumentException($"{name}: the image is not a readable PNG ({e.Message})", nameof(SealInput.Fields), e);
            }
        }
        var text = field.Text is null ? null : Clean(field.Text);
        return new PreparedField(field, box, image, text);
    }

    /// <summary>Scaled to fit the box, aspect ratio kept, centred.</summary>
    private static void DrawImage(XGraphics graphics, XImage image, XRect box)
    {
        var scale = Math.Min(box.Width / image.PixelWidth, box.Height / image.PixelHeight);
        double w = image.PixelWidth * scale, h = image.PixelHeight * scale;
        graphics.DrawImage(image, box.X + (box.Width - w) / 2, box.Y + (box.Height - h) / 2, w, h);
    }

    /// <summary>One line, as large as the box height allows, shrunk until it fits the width. Nothing is cut off.</summary>
    private static void DrawText(XGraphics graphics, string text, XRect box)
    {
        if (text.Length == 0) return;
        var padding = Math.Min(2, box.Width / 10);
        // Liberation Sans is about 1.15 em from ascender to descender; leave a little air above and below.
        var size = Math.Max(MinimumFontSize, box.Height / 1.15 * 0.85);
        var font = new XFont(SealingFonts.Family, size, XFontStyleEx.Regular, Unicode);
        var width = graphics.MeasureString(text, font).Width;
        var available = box.Width - 2 * padding;
        if (width > available && available > 0)
        {
            size = Math.Max(MinimumFontSize, size * available / width);
            font = new XFont(SealingFonts.Family, size, XFontStyleEx.Regular, Unicode);
        }
        graphics.DrawString(text, font, new XSolidBrush(Ink), new XRect(box.X + padding, box.Y, box.Width - padding, box.Height),
            XStringFormats.CenterLeft);
    }

    /// <summary>A square outline, with a drawn check mark when checked.</summary>
    private static void DrawCheckbox(XGraphics graphics, bool isChecked, XRect box)
    {
        var side = Math.Min(box.Width, box.Height);
        var square = new XRect(box.X + (box.Width - side) / 2, box.Y + (box.Height - side) / 2, side, side);
        graphics.DrawRectangle(new XPen(XColors.DimGray, Math.Max(0.5, side / 24)), square);
        if (!isChecked) return;
        var pen = new XPen(Ink, Math.Max(0.75, side / 9)) { LineCap = XLineCap.Round, LineJoin = XLineJoin.Round };
        graphics.DrawLines(pen,
        [
            new XPoint(square.X + side * 0.22, square.Y + side * 0.52),
            new XPoint(square.X + side * 0.42, square.Y + side * 0.74),
            new XPoint(square.X + side * 0.78, square.Y + side * 0.28),
        ]);
    }

    /// <summary>Field values are one line: control characters (new lines, tabs) become spaces.</summary>
    private static string Clean(string text) =>
        string.Join(' ', new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray())
            .Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
