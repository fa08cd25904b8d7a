using System.Globalization;
using PuppeteerSharp;

namespace ESign.Hub.Generation;

/// <summary>A PDF made by <see cref="PdfRenderer"/> and the marks measured in it (none unless asked for).</summary>
public sealed record RenderedPdf(byte[] Content, IReadOnlyList<PrintedMark> Marks);

/// <summary>
/// An element measured in the print layout: its text, its 1-based page and its box as a PDF text extractor reports a
/// word (from the first glyph's origin across the advances, from the baseline up to the highest glyph), in points from
/// the page's top-left corner.
/// </summary>
public sealed record PrintedMark(string Text, int Page, double X, double Y, double Width, double Height);

/// <summary>
/// The page box Chromium lays a render out in, in CSS pixels. Measured against Chromium's PDFs (Debian Chromium 156): it
/// prints Puppeteer's A4 as 595.92 × 841.92 pt and Letter as 612 × 792 pt, lays the page out on whole pixels (rounded
/// up) and drops the fraction of a pixel from each margin.
/// </summary>
internal sealed record PrintLayout(int PageWidth, int PageHeight, int Top, int Bottom, int Left, int Right)
{
    public const double PointsPerPixel = 0.75;

    public int ContentWidth => PageWidth - Left - Right;
    public int ContentHeight => PageHeight - Top - Bottom;

    public static PrintLayout Of(RenderOptions options)
    {
        var (width, height) = options.PaperFormat.ToUpperInvariant() switch
        {
            "A4" => (595.92, 841.92),
            "LETTER" => (612.0, 792.0),
            _ => throw new ArgumentException($"Paper format '{options.PaperFormat}' is not supported; use A4 or Letter.", nameof(options)),
        };
        return new PrintLayout(Pixels(width, Math.Ceiling), Pixels(height, Math.Ceiling),
            Pixels(Points(options.MarginTop), Math.Floor), Pixels(Points(options.MarginBottom), Math.Floor),
            Pixels(Points(options.MarginLeft), Math.Floor), Pixels(Points(options.MarginRight), Math.Floor));
    }

    // The small tolerance keeps 72 pt (96 px) from becoming 95 px through a rounding error.
    private static int Pixels(double points, Func<double, double> round) =>
        (int)round(points / PointsPerPixel + (round == Math.Floor ? 1e-6 : -1e-6));

    /// <summary>A CSS length in the units Puppeteer accepts for margins (px, in, cm, mm; a bare number is px).</summary>
    internal static double Points(string length)
    {
        var text = length.Trim().ToLowerInvariant();
        var (number, perUnit) = text switch
        {
            _ when text.EndsWith("px", StringComparison.Ordinal) => (text[..^2], 0.75),
            _ when text.EndsWith("in", StringComparison.Ordinal) => (text[..^2], 72.0),
            _ when text.EndsWith("cm", StringComparison.Ordinal) => (text[..^2], 72 / 2.54),
            _ when text.EndsWith("mm", StringComparison.Ordinal) => (text[..^2], 72 / 25.4),
            _ => (text, 0.75),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value < 0)
            throw new ArgumentException($"Margin '{length}' is not a length; use px, in, cm or mm.", nameof(length));
        return value * perUnit;
    }
}

/// <summary>
/// Measures marked elements in the layout Chromium is about to print, then hides them. Page JavaScript is off on render
/// pages; this function runs from the host over the DevTools protocol, which script-disabled pages still allow.
/// </summary>
internal static class PrintedMarks
{
    // Outside print, Chromium does not paginate, so the document is laid out for the measurement as a multi-column box
    // whose columns are exactly the pages' content boxes: the same block fragmentation code breaks columns and pages
    // (lines pushed past a page end, orphans and widows, unbreakable boxes). Page breaks are made column breaks for the
    // duration, since a multicol outside print ignores them. Then everything goes back as it was and the marks are
    // hidden: visibility keeps their space, so the printed layout is the measured one.
    private const string Script = """
        (markClass, pageWidth, pageHeight) => {
          const marks = [...document.getElementsByClassName(markClass)];
          if (marks.length === 0) return [];
          const root = document.documentElement;
          const restore = [];
          const setImportant = (element, property, value) => {
            restore.push([element, property, element.style.getPropertyValue(property), element.style.getPropertyPriority(property)]);
            element.style.setProperty(property, value, 'important');
          };
          const pageBreaks = new Set(['page', 'left', 'right', 'recto', 'verso', 'always']);
          for (const element of root.querySelectorAll('body *')) {
            const style = getComputedStyle(element);
            if (pageBreaks.has(style.breakBefore)) setImportant(element, 'break-before', 'column');
            if (pageBreaks.has(style.breakAfter)) setImportant(element, 'break-after', 'column');
          }
          for (const [property, value] of [['column-count', '1'], ['column-gap', '0px'], ['column-fill', 'auto'],
              ['width', pageWidth + 'px'], ['height', pageHeight + 'px'], ['margin', '0px'], ['border', '0px'], ['padding', '0px'],
              ['box-sizing', 'content-box'], ['overflow', 'visible']])
            setImportant(root, property, value);

          const canvas = document.createElement('canvas').getContext('2d');
          const origin = root.getBoundingClientRect();
          const measured = marks.map(mark => {
            const box = mark.getClientRects()[0] ?? mark.getBoundingClientRect();
            // A zero-size inline block sits on the baseline: the glyphs' ink is measured from there.
            const probe = document.createElement('span');
            probe.style.cssText = 'display:inline-block;width:0;height:0;margin:0;padding:0;border:0';
            mark.appendChild(probe);
            const baseline = probe.getBoundingClientRect().bottom;
            probe.remove();
            const text = mark.textContent;
            const style = getComputedStyle(mark);
            canvas.font = style.font;
            canvas.letterSpacing = style.letterSpacing === 'normal' ? '0px' : style.letterSpacing;
            const ink = canvas.measureText(text);
            const column = Math.max(0, Math.floor((box.left - origin.left + 0.5) / pageWidth));
            const left = box.left - origin.left - column * pageWidth;
            // As a PDF text extractor reports a word: from the first glyph's origin across the advances, and from the
            // baseline up to the highest glyph.
            return {
              text, page: column + 1, left, right: left + box.width,
              top: baseline - origin.top - ink.actualBoundingBoxAscent, bottom: baseline - origin.top,
            };
          });

          for (const [element, property, value, priority] of restore.reverse()) {
            if (value) element.style.setProperty(property, value, priority); else element.style.removeProperty(property);
          }
          for (const mark of marks) mark.style.setProperty('visibility', 'hidden', 'important');
          return measured;
        }
        """;

    private sealed record Measured(string Text, int Page, double Left, double Right, double Top, double Bottom);

    public static async Task<IReadOnlyList<PrintedMark>> MeasureAndHideAsync(IPage page, string markClass, PrintLayout layout)
    {
        const double scale = PrintLayout.PointsPerPixel;
        var measured = await page.EvaluateFunctionAsync<Measured[]>(Script, markClass, layout.ContentWidth, layout.ContentHeight);
        return measured.Select(m => new PrintedMark(m.Text, m.Page,
            Math.Round((layout.Left + m.Left) * scale, 2),
            Math.Round((layout.Top + m.Top) * scale, 2),
            Math.Round((m.Right - m.Left) * scale, 2),
            Math.Round((m.Bottom - m.Top) * scale, 2))).ToList();
    }
}
