using System.Security.Cryptography;
using ESign.Hub.Samples;
using ESign.Hub.Sealing;
using ESign.Hub.SignatureRequests;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace ESign.Hub.Benchmarks;

/// <summary>
/// A completed request as the finalize benchmark seals it: a 10-page contract with text and an embedded font, four
/// signers, 12 fields (4 drawn signatures as PNG, 4 signing dates, 2 names, a text field, a checkbox) and 30 events.
/// </summary>
public static class FinalizeSample
{
    public static SealInput Create()
    {
        var pdf = Contract(pages: 10);
        string[] names = ["Alice Müller", "Bob O'Neil", "Chandra Rao", "Dana Kowalski"];
        var completed = new DateTime(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        const string agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

        var fields = new List<StampedField>();
        for (var i = 0; i < 4; i++)
        {
            fields.Add(new(FieldType.Signature, 10, 72 + (i % 2) * 260, 480 + (i / 2) * 110, 200, 60, null, TestPngs.Signature(400, 120, seed: i), null));
            fields.Add(new(FieldType.DateSigned, 10, 72 + (i % 2) * 260, 545 + (i / 2) * 110, 120, 14, "2025-03-01", null, null));
        }
        fields.Add(new(FieldType.Name, 1, 150, 200, 200, 16, names[0], null, null));
        fields.Add(new(FieldType.Name, 1, 150, 230, 200, 16, names[1], null, null));
        fields.Add(new(FieldType.Text, 2, 150, 300, 250, 16, "Purchase order 4711-B", null, null));
        fields.Add(new(FieldType.Checkbox, 3, 72, 400, 14, 14, null, null, true));

        var signers = names.Select((name, i) => new AuditSigner(name, $"signer{i + 1}@example.com", i == 0 ? "Buyer" : "Witness",
            $"203.0.113.{10 + i}", agent, completed.AddMinutes(-40 + i * 10), completed.AddMinutes(-38 + i * 10), "Email link")).ToList();
        string[] types = ["signer.notified", "signer.viewed", "signer.consented", "signer.signed"];
        var timeline = new List<AuditTimelineEntry>
        {
            new(completed.AddHours(-2), "request.created", "api_key esk_live_…f3a9", "198.51.100.4", null),
            new(completed.AddHours(-2).AddSeconds(1), "request.sent", null, null, null),
        };
        for (var i = 0; timeline.Count < 29; i++)
            timeline.Add(new(completed.AddMinutes(-100 + i * 3), types[i % types.Length], signers[i / types.Length % 4].Email,
                signers[i / types.Length % 4].IpAddress, agent));
        timeline.Add(new(completed, "request.completed", null, null, null));

        return new SealInput(pdf, Convert.ToHexStringLower(SHA256.HashData(pdf)), "sr_bench000000000001", "Master services agreement",
            "Benchmark Corp", TestMode: false, fields, signers, timeline, completed);
    }

    /// <summary>A contract-like PDF made with PDFsharp: a heading and about 40 lines of body text per page.</summary>
    private static byte[] Contract(int pages)
    {
        SealingFonts.EnsureRegistered();
        using var document = new PdfDocument();
        var heading = new XFont(SealingFonts.Family, 16, XFontStyleEx.Bold);
        var body = new XFont(SealingFonts.Family, 10);
        for (var p = 1; p <= pages; p++)
        {
            var page = document.AddPage();
            using var graphics = XGraphics.FromPdfPage(page);
            graphics.DrawString($"Master services agreement \u2013 section {p}", heading, XBrushes.Black, 72, 90);
            for (var line = 0; line < 40; line++)
                graphics.DrawString($"{p}.{line + 1} The parties agree that the services described in this section are provided as set out herein.",
                    body, XBrushes.Black, 72, 120 + line * 15);
        }
        using var output = new MemoryStream();
        document.Save(output, false);
        return output.ToArray();
    }
}
