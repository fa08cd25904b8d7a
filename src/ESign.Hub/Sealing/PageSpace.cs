using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace ESign.Hub.Sealing;

/// <summary>
/// A page as a viewer shows it: inside its CropBox (or MediaBox), turned by its /Rotate, with the origin top-left.
/// Field positions are given in this space; <see cref="Apply"/> makes an <see cref="XGraphics"/> draw in it.
/// </summary>
internal sealed class PageSpace
{
    private readonly XMatrix _transform;

    private PageSpace(double width, double height, XMatrix transform)
    {
        Width = width;
        Height = height;
        _transform = transform;
    }

    /// <summary>Displayed width in points.</summary>
    public double Width { get; }

    /// <summary>Displayed height in points.</summary>
    public double Height { get; }

    public static PageSpace Of(PdfPage page)
    {
        var box = page.Elements.ContainsKey("/CropBox") ? page.CropBox : page.MediaBox;
        double llx = Math.Min(box.X1, box.X2), lly = Math.Min(box.Y1, box.Y2), urx = Math.Max(box.X1, box.X2), ury = Math.Max(box.Y1, box.Y2);
        var rotate = ((page.Rotate % 360) + 360) % 360;

        // Displayed (x, y) -> PDF user space: ux = a*x + c*y + e, uy = b*x + d*y + f. /Rotate turns the page clockwise.
        var (a, b, c, d, e, f) = rotate switch
        {
            90 => (0d, 1d, 1d, 0d, llx, lly),
            180 => (-1d, 0d, 0d, 1d, urx, lly),
            270 => (0d, -1d, -1d, 0d, urx, ury),
            _ => (1d, 0d, 0d, -1d, llx, ury),
        };
        // PDFsharp's XGraphics already maps its (x, y) to user space (x, H - y), H being the page height it reports,
        // ignoring the box origin and /Rotate. Prepending the inverse of that mapping leaves ours.
        var h = page.Height.Point;
        var transform = new XMatrix(a, -b, c, -d, e, h - f);
        var turned = rotate is 90 or 270;
        return new PageSpace(turned ? ury - lly : urx - llx, turned ? urx - llx : ury - lly, transform);
    }

    public void Apply(XGraphics graphics) => graphics.MultiplyTransform(_transform);
}
