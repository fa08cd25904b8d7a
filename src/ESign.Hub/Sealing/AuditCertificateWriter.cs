using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace ESign.Hub.Sealing;

/// <summary>
/// Appends the audit certificate: the request, the original document's hash, every signer with how they were
/// identified, and the complete timeline. Pages are A4, or the document's own size when its first page is an ordinary
/// portrait page (Letter, Legal, A4). Blocks that fit on one page are not split; long tables continue on new pages.
/// </summary>
internal sealed class AuditCertificateWriter : IDisposable
{
    public const string Heading = "Audit certificate";

    private const double Margin = 56, Top = 56, Bottom = 64, LabelWidth = 132;
    private static readonly XPdfFontOptions Unicode = new(PdfFontEncoding.Unicode);
    private static readonly XFont TitleFont = new(SealingFonts.Family, 20, XFontStyleEx.Bold, Unicode);
    private static readonly XFont SectionFont = new(SealingFonts.Family, 12, XFontStyleEx.Bold, Unicode);
    private static readonly XFont BodyFont = new(SealingFonts.Family, 9.5, XFontStyleEx.Regular, Unicode);
    private static readonly XFont StrongFont = new(SealingFonts.Family, 10.5, XFontStyleEx.Bold, Unicode);
    private static readonly XFont LabelFont = new(SealingFonts.Family, 8.5, XFontStyleEx.Regular, Unicode);
    private static readonly XFont TableFont = new(SealingFonts.Family, 8, XFontStyleEx.Regular, Unicode);
    private static readonly XFont TableHeadFont = new(SealingFonts.Family, 8, XFontStyleEx.Bold, Unicode);
    private static readonly XFont SmallFont = new(SealingFonts.Family, 7.5, XFontStyleEx.Regular, Unicode);
    private static readonly XBrush Dark = new XSolidBrush(XColor.FromArgb(26, 26, 26));
    private static readonly XBrush Muted = new XSolidBrush(XColor.FromArgb(105, 105, 105));
    private static readonly XBrush Accent = new XSolidBrush(XColor.FromArgb(16, 32, 96));
    private static readonly XPen Rule = new(XColor.FromArgb(200, 200, 200), 0.5);
    private static readonly XPen StrongRule = new(XColor.FromArgb(16, 32, 96), 1);

    // Timeline columns: time, event, actor, IP address (the rest of the width).
    private static readonly double[] TimelineColumns = [104, 118, 150];

    private readonly PdfDocument _document;
    private readonly SealInput _input;
    private readonly XSize _pageSize;
    private readonly int _originalPages;
    private readonly List<PdfPage> _pages = [];
    private XGraphics? _graphics;
    private double _y;

    private readonly IReadOnlyList<string> _activeContentRemoved;

    private AuditCertificateWriter(PdfDocument document, SealInput input, IReadOnlyList<string> activeContentRemoved)
    {
        _document = document;
        _activeContentRemoved = activeContentRemoved;
        _input = input;
        _pageSize = PageSizeFor(document);
        _originalPages = document.PageCount;
    }

    private XGraphics G => _graphics ?? throw new InvalidOperationException("No audit page is open.");
    private double ContentWidth => _pageSize.Width - 2 * Margin;
    private double BodyBottom => _pageSize.Height - Bottom;

    /// <summary>Appends the certificate pages to <paramref name="document"/>; returns how many were added.</summary>
    /// <param name="activeContentRemoved">What was removed from the original before sealing (actions, JavaScript...), to list.</param>
    public static int Append(PdfDocument document, SealInput input, X509Certificate2 certificate, IReadOnlyList<string> activeContentRemoved)
    {
        using var writer = new AuditCertificateWriter(document, input, activeContentRemoved);
        writer.WriteSummary(certificate);
        writer.WriteSigners();
        writer.WriteTimeline();
        writer.WriteClosingNote();
        writer.WriteFooters();
        return writer._pages.Count;
    }

    public void Dispose() => _graphics?.Dispose();

    private void NewPage(string? continuedSection = null)
    {
        _graphics?.Dispose();
        var page = _document.AddPage();
        page.Width = XUnit.FromPoint(_pageSize.Width);
        page.Height = XUnit.FromPoint(_pageSize.Height);
        _pages.Add(page);
        _graphics = XGraphics.FromPdfPage(page);
        _y = Top;
        if (_pages.Count == 1) return;
        G.DrawString($"{Heading} (continued)", LabelFont, Muted, Margin, _y + LabelFont.GetHeight() * 0.8);
        _y += 20;
        if (continuedSection is not null) Section(continuedSection + " (continued)", keepWithNext: 0);
    }

    /// <summary>Starts a new page unless <paramref name="height"/> more points fit on this one.</summary>
    private bool EnsureSpace(double height, string? continuedSection = null)
    {
        if (_graphics is not null && _y + height <= BodyBottom) return false;
        NewPage(continuedSection);
        return true;
    }

    private void WriteSummary(X509Certificate2 certificate)
    {
        NewPage();
        G.DrawString(Heading, TitleFont, Accent, Margin, _y + TitleFont.GetHeight() * 0.8);
        _y += TitleFont.GetHeight() + 2;
        G.DrawString("Issued by ESign.Hub when the signature request was completed and sealed.", LabelFont, Muted, Margin,
            _y + LabelFont.GetHeight() * 0.8);
        _y += LabelFont.GetHeight() + 8;
        G.DrawLine(StrongRule, Margin, _y, Margin + ContentWidth, _y);
        _y += 14;

        KeyValues(0, [
            ("Request ID", _input.RequestId, 2),
            ("Title", _input.Title, 3),
            ("Account", _input.AccountName, 2),
            ("Completed at (UTC)", Utc(_input.CompletedAt), 1),
            ("Original document SHA-256", _input.OriginalSha256.ToLowerInvariant(), 2),
            ("Pages of the original", _originalPages.ToString(CultureInfo.InvariantCulture), 1),
            ("Mode", _input.TestMode ? "Test \u2013 not legally binding" : "Live", 1),
            ("Active content removed", _activeContentRemoved.Count == 0 ? "None found"
                : "Before sealing: " + string.Join("; ", _activeContentRemoved), 4),
            ("Sealed with", "PDF digital signature (SHA-256) over this whole file", 2),
            ("Sealing certificate", certificate.Subject, 3),
            ("Certificate issuer", certificate.Subject == certificate.Issuer ? "Self-signed" : certificate.Issuer, 3),
            ("Certificate SHA-256", certificate.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant(), 2),
        ]);
    }

    private void WriteSigners()
    {
        Section($"Signers ({_input.Signers.Count})", keepWithNext: 60);
        if (_input.Signers.Count == 0) Paragraph("No signers are recorded.", BodyFont, Muted);
        foreach (var signer in _input.Signers)
        {
            var rows = Prepare(16, [
                ("Email", signer.Email, 2),
                ("Role", signer.Role, 2),
                ("Authentication", signer.Authentication, 2),
                ("IP address", signer.IpAddress, 2),
                ("User agent", signer.UserAgent, 3),
                ("Consent given (UTC)", Utc(signer.ConsentedAt), 1),
                ("Signed (UTC)", Utc(signer.SignedAt), 1),
            ]);
            var name = Wrap(signer.Name, StrongFont, ContentWidth, 2);
            var height = name.Count * StrongFont.GetHeight() + 4 + rows.Sum(r => r.Height) + 10;
            // Keep a signer on one page when it fits on one.
            EnsureSpace(Math.Min(height, BodyBottom - Top - 40), "Signers");
            foreach (var line in name)
            {
                G.DrawString(line, StrongFont, Dark, Margin, _y + StrongFont.GetHeight() * 0.8);
                _y += StrongFont.GetHeight();
            }
            _y += 4;
            DrawRows(rows, 16, "Signers");
            _y += 4;
            G.DrawLine(Rule, Margin, _y, Margin + ContentWidth, _y);
            _y += 6;
        }
    }

    private void WriteTimeline()
    {
        Section($"Timeline ({_input.Timeline.Count} events)", keepWithNext: 60);
        if (_input.Timeline.Count == 0)
        {
            Paragraph("No events are recorded.", BodyFont, Muted);
            return;
        }
        TimelineHeader();
        var ipWidth = ContentWidth - TimelineColumns.Sum();
        double[] widths = [.. TimelineColumns, ipWidth];
        var lineHeight = TableFont.GetHeight();
        var smallHeight = SmallFont.GetHeight();
        foreach (var entry in _input.Timeline.OrderBy(e => ToUtc(e.OccurredAt)))
        {
            string?[] values = [Utc(entry.OccurredAt), entry.Type, entry.Actor, entry.IpAddress];
            var cells = values.Select((v, i) => Wrap(v ?? "\u2014", TableFont, widths[i] - 6, 2)).ToList();
            var agent = string.IsNullOrWhiteSpace(entry.UserAgent)
                ? []
                : Wrap("User agent: " + entry.UserAgent, SmallFont, ContentWidth - TimelineColumns[0] - 6, 2);
            var height = cells.Max(c => c.Count) * lineHeight + agent.Count * smallHeight + 7;
            if (EnsureSpace(height, "Timeline")) TimelineHeader();

            var top = _y + 3;
            var x = Margin;
            for (var i = 0; i < cells.Count; i++)
            {
                for (var l = 0; l < cells[i].Count; l++)
                    G.DrawString(cells[i][l], TableFont, i == 0 ? Muted : Dark, x, top + l * lineHeight + lineHeight * 0.8);
                x += widths[i];
            }
            var agentTop = top + cells.Max(c => c.Count) * lineHeight;
            for (var l = 0; l < agent.Count; l++)
                G.DrawString(agent[l], SmallFont, Muted, Margin + TimelineColumns[0], agentTop + l * smallHeight + smallHeight * 0.8);
            _y += height;
            G.DrawLine(Rule, Margin, _y, Margin + ContentWidth, _y);
        }
        _y += 6;
    }

    private void TimelineHeader()
    {
        string[] titles = ["Time (UTC)", "Event", "Actor", "IP address"];
        var x = Margin;
        for (var i = 0; i < titles.Length; i++)
        {
            G.DrawString(titles[i], TableHeadFont, Dark, x, _y + TableHeadFont.GetHeight() * 0.8);
            if (i < TimelineColumns.Length) x += TimelineColumns[i];
        }
        _y += TableHeadFont.GetHeight() + 3;
        G.DrawLine(StrongRule, Margin, _y, Margin + ContentWidth, _y);
    }

    private void WriteClosingNote()
    {
        _y += 10;
        Paragraph("This certificate is part of the sealed document. The digital signature covers the whole file, these pages " +
            "included: any change made after sealing invalidates it. Times are UTC (ISO 8601).", LabelFont, Muted);
    }

    /// <summary>"Audit certificate · request · page i of n" at the foot of every certificate page, once their number is known.</summary>
    private void WriteFooters()
    {
        _graphics?.Dispose();
        _graphics = null;
        for (var i = 0; i < _pages.Count; i++)
        {
            using var graphics = XGraphics.FromPdfPage(_pages[i], XGraphicsPdfPageOptions.Append);
            var y = _pageSize.Height - Bottom + 24;
            graphics.DrawLine(Rule, Margin, y, Margin + ContentWidth, y);
            var left = $"{Heading} \u00b7 {_input.RequestId}";
            graphics.DrawString(Truncate(graphics, left, SmallFont, ContentWidth - 80), SmallFont, Muted, Margin, y + 11);
            graphics.DrawString($"Page {i + 1} of {_pages.Count}", SmallFont, Muted,
                new XRect(Margin, y + 3, ContentWidth, 10), XStringFormats.TopRight);
        }
    }

    private void Section(string title, double keepWithNext)
    {
        EnsureSpace(SectionFont.GetHeight() + 10 + keepWithNext);
        _y += 6;
        G.DrawString(title, SectionFont, Accent, Margin, _y + SectionFont.GetHeight() * 0.8);
        _y += SectionFont.GetHeight() + 6;
    }

    private void Paragraph(string text, XFont font, XBrush brush)
    {
        foreach (var line in Wrap(text, font, ContentWidth, int.MaxValue))
        {
            EnsureSpace(font.GetHeight());
            G.DrawString(line, font, brush, Margin, _y + font.GetHeight() * 0.8);
            _y += font.GetHeight();
        }
    }

    private sealed record Row(string Label, List<string> Lines, double Height);

    private List<Row> Prepare(double indent, IEnumerable<(string Label, string? Value, int MaxLines)> rows) =>
        rows.Select(r =>
        {
            var lines = Wrap(string.IsNullOrWhiteSpace(r.Value) ? "\u2014" : r.Value, BodyFont, ContentWidth - indent - LabelWidth, r.MaxLines);
            return new Row(r.Label, lines, lines.Count * BodyFont.GetHeight() + 3);
        }).ToList();

    private void KeyValues(double indent, IEnumerable<(string Label, string? Value, int MaxLines)> rows) =>
        DrawRows(Prepare(indent, rows), indent, continuedSection: null);

    private void DrawRows(List<Row> rows, double indent, string? continuedSection)
    {
        var lineHeight = BodyFont.GetHeight();
        foreach (var row in rows)
        {
            EnsureSpace(row.Height, continuedSection);
            G.DrawString(row.Label, LabelFont, Muted, Margin + indent, _y + lineHeight * 0.8);
            for (var l = 0; l < row.Lines.Count; l++)
                G.DrawString(row.Lines[l], BodyFont, Dark, Margin + indent + LabelWidth, _y + l * lineHeight + lineHeight * 0.8);
            _y += row.Height;
        }
    }

    /// <summary>
    /// Breaks at spaces, and inside words too long for a line (hashes, user agents). Past <paramref name="maxLines"/>
    /// the last line ends with an ellipsis: the full values stay in the hub's audit log.
    /// </summary>
    private List<string> Wrap(string text, XFont font, double width, int maxLines)
    {
        var lines = new List<string>();
        var current = "";
        foreach (var word in Clean(text).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = current.Length == 0 ? word : current + " " + word;
            if (Fits(candidate, font, width))
            {
                current = candidate;
                continue;
            }
            if (current.Length > 0) lines.Add(current);
            current = word;
            while (!Fits(current, font, width) && current.Length > 1)
            {
                var take = LongestPrefix(current, font, width);
                lines.Add(current[..take]);
                current = current[take..];
            }
        }
        if (current.Length > 0 || lines.Count == 0) lines.Add(current);
        if (lines.Count <= maxLines) return lines;
        var kept = lines.Take(maxLines).ToList();
        kept[^1] = Truncate(G, kept[^1] + " " + lines[maxLines], font, width);
        return kept;
    }

    private bool Fits(string text, XFont font, double width) => G.MeasureString(text, font).Width <= width;

    private int LongestPrefix(string text, XFont font, double width)
    {
        int low = 1, high = text.Length;
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            if (Fits(text[..mid], font, width)) low = mid;
            else high = mid - 1;
        }
        return low;
    }

    private static string Truncate(XGraphics graphics, string text, XFont font, double width)
    {
        if (graphics.MeasureString(text, font).Width <= width) return text;
        while (text.Length > 1 && graphics.MeasureString(text + "\u2026", font).Width > width) text = text[..^1];
        return text.TrimEnd() + "\u2026";
    }

    private static string Clean(string text) => new(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray());

    private static DateTime ToUtc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Local => time.ToUniversalTime(),
        DateTimeKind.Unspecified => DateTime.SpecifyKind(time, DateTimeKind.Utc), // the hub stores UTC throughout
        _ => time,
    };

    /// <summary>ISO 8601 in UTC to the second, e.g. 2025-03-01T10:15:30Z.</summary>
    public static string Utc(DateTime time) => ToUtc(time).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string? Utc(DateTime? time) => time is { } t ? Utc(t) : null;

    private static XSize PageSizeFor(PdfDocument document)
    {
        var a4 = new XSize(595.28, 841.89);
        if (document.PageCount == 0) return a4;
        var first = PageSpace.Of(document.Pages[0]);
        return first.Width is >= 500 and <= 650 && first.Height is >= 700 and <= 1020 ? new XSize(first.Width, first.Height) : a4;
    }
}
