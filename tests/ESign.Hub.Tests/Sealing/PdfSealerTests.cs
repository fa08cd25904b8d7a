using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using ESign.Hub.Samples;
using ESign.Hub.Sealing;
using ESign.Hub.SignatureRequests;
using ESign.Hub.Tests.Infrastructure;
using UglyToad.PdfPig.AcroForms;
using UglyToad.PdfPig.AcroForms.Fields;

namespace ESign.Hub.Tests.Sealing;

/// <summary>Seals real PDFs and checks the result with independent tools: pdfsig, qpdf, pdftotext, pdfimages, PdfPig.</summary>
public sealed partial class PdfSealerTests(SealingFixture fixture) : IClassFixture<SealingFixture>
{
    private const string Watermark = "TEST \u2013 not legally binding";

    [Fact]
    public async Task Sealed_document_carries_a_valid_signature_over_the_whole_file()
    {
        var sealedPdf = await fixture.Sealer.SealAsync(SampleRequests.Create(), CancellationToken.None);

        var pdfsig = await PdfTools.PdfSig(sealedPdf.Content);
        Assert.Contains("Signature is Valid", pdfsig.Output);
        Assert.Contains("Total document signed", pdfsig.Output);
        Assert.Contains("SHA-256", pdfsig.Output);
        Assert.Contains(SelfSignedCertificateSource.SubjectName["CN=".Length..], pdfsig.Output);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(sealedPdf.Content)), sealedPdf.Sha256);
        using var pig = UglyToad.PdfPig.PdfDocument.Open(sealedPdf.Content);
        Assert.Equal(pig.NumberOfPages, sealedPdf.PageCount);
        Assert.True(sealedPdf.PageCount >= 3, "two original pages and at least one audit page");
    }

    [Fact]
    public async Task Sealed_document_passes_qpdf_check()
    {
        var sealedPdf = await fixture.Sealer.SealAsync(SampleRequests.Create(testMode: true), CancellationToken.None);

        var qpdf = await PdfTools.QpdfCheck(sealedPdf.Content);

        Assert.True(qpdf.ExitCode == 0, qpdf.Output);
    }

    [Fact]
    public async Task Original_with_pdfsharp_compressed_streams_still_passes_qpdf_check()
    {
        var original = PdfSharpContract();
        Assert.Equal(3, (await PdfTools.QpdfCheck(original)).ExitCode); // PDFsharp leaves its deflate streams unterminated

        var sealedPdf = await fixture.Sealer.SealAsync(SampleRequests.Create(pdf: original), CancellationToken.None);

        var qpdf = await PdfTools.QpdfCheck(sealedPdf.Content);
        Assert.True(qpdf.ExitCode == 0, qpdf.Output);
        Assert.Contains("Clause 2.40 of the agreement", await PdfTools.Text(sealedPdf.Content, page: 2));
        Assert.Contains("Signature is Valid", (await PdfTools.PdfSig(sealedPdf.Content)).Output);
    }

    [Fact]
    public async Task Signature_carries_the_seal_reason_and_app_name()
    {
        var sealedPdf = await fixture.Sealer.SealAsync(SampleRequests.Create(), CancellationToken.None);

        Assert.Matches(@"/Reason\s*\(" + Regex.Escape(PdfSealer.Reason) + @"\)", Encoding.Latin1.GetString(sealedPdf.Content));
        Assert.Matches(@"/App\s*<<\s*/Name\s*/" + Regex.Escape(PdfSealer.AppName), Encoding.Latin1.GetString(sealedPdf.Content));
    }

    [Fact]
    public async Task Changing_one_signed_byte_invalidates_the_seal()
    {
        var content = (await fixture.Sealer.SealAsync(SampleRequests.Create(), CancellationToken.None)).Content;
        var text = Encoding.Latin1.GetString(content);
        var range = ByteRange().Match(text);
        Assert.True(range.Success, "the signature dictionary has a /ByteRange");
        var contentsStart = int.Parse(range.Groups[2].Value, CultureInfo.InvariantCulture);

        // "Page 1" in the original page's (uncompressed) content stream: inside the first signed range, and the file
        // still parses after the change, so the verdict is about the signature and not a broken file.
        var at = text.IndexOf("(Page 1)", StringComparison.Ordinal) + "(Page ".Length;
        Assert.InRange(at, 1, contentsStart - 1);
        var tampered = (byte[])content.Clone();
        tampered[at] = (byte)'7';

        var pdfsig = await PdfTools.PdfSig(tampered);
        Assert.Contains("Signature Validation:", pdfsig.Output);
        Assert.DoesNotContain("Signature is Valid", pdfsig.Output);
    }

    [Fact]
    public async Task Audit_certificate_shows_request_hash_signers_and_field_values()
    {
        var input = SampleRequests.Create();
        var sealedPdf = await fixture.Sealer.SealAsync(input, CancellationToken.None);

        var text = await PdfTools.Text(sealedPdf.Content);
        Assert.Contains("Audit certificate", text);
        Assert.Contains(SampleRequests.RequestId, text);
        Assert.Contains(input.OriginalSha256, text);
        Assert.Contains("Supply agreement 2025", text);
        Assert.Contains("Acme GmbH", text);
        Assert.Contains("2025-03-01T10:15:30Z", text);
        foreach (var signer in input.Signers)
        {
            Assert.Contains(signer.Name, text);
            Assert.Contains(signer.Email, text);
            Assert.Contains(signer.Authentication, text);
            Assert.Contains(signer.IpAddress!, text);
            Assert.Contains(AuditCertificateWriter.Utc(signer.ConsentedAt!.Value), text);
            Assert.Contains(AuditCertificateWriter.Utc(signer.SignedAt!.Value), text);
        }
        Assert.Contains("signer.consented", text);
        Assert.Contains("request.completed", text);
        Assert.Contains(SampleRequests.TextValue, text);
        Assert.Contains("alice@example.com", await PdfTools.Text(sealedPdf.Content, page: 1));
    }

    [Fact]
    public async Task Long_user_agents_are_wrapped_inside_the_page()
    {
        var sealedPdf = await fixture.Sealer.SealAsync(SampleRequests.Create(), CancellationToken.None);

        var auditPage = await PdfTools.Text(sealedPdf.Content, page: 3, "-bbox");
        Assert.Contains(">Chrome/131.0.6778.86<", auditPage);
        var pageWidth = double.Parse(PageWidth().Match(auditPage).Groups[1].Value, CultureInfo.InvariantCulture);
        foreach (Match word in WordRight().Matches(auditPage))
            Assert.True(double.Parse(word.Groups[1].Value, CultureInfo.InvariantCulture) <= pageWidth - 50,
                $"'{word.Groups[2].Value}' reaches into the right margin");
    }

    [Fact]
    public async Task Test_mode_watermarks_every_page_including_the_audit_certificate()
    {
        var sealedPdf = await fixture.Sealer.SealAsync(SampleRequests.Create(testMode: true, timelineEntries: 120), CancellationToken.None);

        Assert.True(sealedPdf.PageCount >= 4);
        for (var page = 1; page <= sealedPdf.PageCount; page++)
            Assert.Contains(Watermark, await PdfTools.Text(sealedPdf.Content, page));
        Assert.Contains("Signature is Valid", (await PdfTools.PdfSig(sealedPdf.Content)).Output);
    }

    [Fact]
    public async Task Live_mode_has_no_watermark()
    {
        var sealedPdf = await fixture.Sealer.SealAsync(SampleRequests.Create(testMode: false), CancellationToken.None);

        Assert.DoesNotContain(Watermark, await PdfTools.Text(sealedPdf.Content));
    }

    [Fact]
    public async Task Long_timeline_continues_on_further_audit_pages()
    {
        var input = SampleRequests.Create(timelineEntries: 120);
        var sealedPdf = await fixture.Sealer.SealAsync(input, CancellationToken.None);

        Assert.True(sealedPdf.PageCount >= 5, $"120 events need more than one audit page; got {sealedPdf.PageCount} pages in all");
        var lastPage = await PdfTools.Text(sealedPdf.Content, sealedPdf.PageCount);
        Assert.Contains("Timeline (continued)", lastPage);
        Assert.Contains("request.completed", lastPage);
        Assert.Contains(AuditCertificateWriter.Utc(input.Timeline[^1].OccurredAt), lastPage);
        Assert.Contains($"Page {sealedPdf.PageCount - 2} of {sealedPdf.PageCount - 2}", lastPage);
        // Every event is listed once.
        var all = await PdfTools.Text(sealedPdf.Content);
        foreach (var entry in input.Timeline)
            Assert.Contains(AuditCertificateWriter.Utc(entry.OccurredAt), all);
    }

    [Fact]
    public async Task Signature_images_are_drawn_on_their_pages()
    {
        var sealedPdf = await fixture.Sealer.SealAsync(SampleRequests.Create(), CancellationToken.None);

        var images = (await PdfTools.ImageList(sealedPdf.Content)).Split('\n')
            .Where(l => Regex.IsMatch(l, @"^\s*\d+\s+\d+\s+image")).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Contains(images, i => i[0] == "1" && i[3] == "300" && i[4] == "100");
        Assert.Contains(images, i => i[0] == "2" && i[3] == "300" && i[4] == "100");
    }

    [Fact]
    public async Task Sealed_document_has_no_form_fields_except_the_seal()
    {
        var input = SampleRequests.Create(pdf: RawPdfs.FilledForm("Prefilled by the sender"),
            fields: [new(FieldType.Text, 1, 72, 300, 200, 16, SampleRequests.TextValue, null, null)]);
        var original = UglyToad.PdfPig.PdfDocument.Open(input.OriginalPdf);
        Assert.True(original.TryGetForm(out var originalForm) && originalForm.GetFields().Any(f => f.FieldType == AcroFieldType.Text));

        var sealedPdf = await fixture.Sealer.SealAsync(input, CancellationToken.None);

        using var pig = UglyToad.PdfPig.PdfDocument.Open(sealedPdf.Content);
        Assert.True(pig.TryGetForm(out var form));
        var field = Assert.Single(form.GetFields());
        Assert.Equal(AcroFieldType.Signature, field.FieldType);
        // The filled-in value is still visible: it became page content.
        Assert.Contains("Prefilled by the sender", await PdfTools.Text(sealedPdf.Content, page: 1));
        Assert.Contains("Signature is Valid", (await PdfTools.PdfSig(sealedPdf.Content)).Output);
    }

    [Theory]
    [InlineData("/MediaBox [0 0 612 792]", false)]
    [InlineData("/MediaBox [100 50 712 842]", false)]
    [InlineData("/MediaBox [0 0 612 792] /Rotate 90", false)]
    [InlineData("/MediaBox [0 0 612 792] /Rotate 180", false)]
    [InlineData("/MediaBox [0 0 612 792] /Rotate 270", false)]
    [InlineData("/MediaBox [0 0 612 792] /CropBox [36 72 576 720]", true)]
    public async Task Fields_land_where_placed_on_offset_cropped_and_rotated_pages(string pageEntries, bool cropped)
    {
        var input = SampleRequests.Create(pdf: RawPdfs.Page(pageEntries),
            fields: [new(FieldType.Text, 1, 100, 200, 160, 20, "Placed", null, null)]);

        var sealedPdf = await fixture.Sealer.SealAsync(input, CancellationToken.None);

        var words = await PdfTools.Text(sealedPdf.Content, 1, cropped ? ["-bbox", "-cropbox"] : ["-bbox"]);
        var placed = Regex.Match(words, @"xMin=""([\d.]+)"" yMin=""([\d.]+)"" xMax=""([\d.]+)"" yMax=""([\d.]+)"">Placed<");
        Assert.True(placed.Success, words);
        double Value(int group) => double.Parse(placed.Groups[group].Value, CultureInfo.InvariantCulture);
        Assert.InRange(Value(1), 100, 106);
        Assert.InRange(Value(2), 200, 206);
        Assert.InRange(Value(4), 214, 220);
        Assert.True(Value(3) - Value(1) > Value(4) - Value(2), "the text runs horizontally as the page is viewed");
    }

    [Fact]
    public async Task Field_on_a_missing_page_is_rejected_with_a_clear_message()
    {
        var input = SampleRequests.Create(fields: [new(FieldType.Text, 5, 72, 72, 100, 20, "x", null, null)]);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => fixture.Sealer.SealAsync(input, CancellationToken.None));

        Assert.Contains("Field 1 (Text, page 5) is on page 5, but the document has 2 page(s)", error.Message);
    }

    [Fact]
    public async Task Field_outside_its_page_is_rejected_with_a_clear_message()
    {
        var input = SampleRequests.Create(fields: [new(FieldType.Text, 1, 700, 72, 100, 20, "x", null, null)]);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => fixture.Sealer.SealAsync(input, CancellationToken.None));

        Assert.Contains("lies outside its page (612 x 792 pt)", error.Message);
    }

    [Fact]
    public async Task Field_sticking_out_of_its_page_is_clamped_to_it()
    {
        var input = SampleRequests.Create(fields: [new(FieldType.Text, 1, 500, 100, 300, 20, "Clamped", null, null)]);

        var sealedPdf = await fixture.Sealer.SealAsync(input, CancellationToken.None);

        Assert.Contains("Clamped", await PdfTools.Text(sealedPdf.Content, page: 1));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    public async Task Broken_signature_image_is_rejected_with_a_clear_message(string damage)
    {
        var png = TestPngs.Signature();
        var broken = damage == "garbage" ? Encoding.ASCII.GetBytes("not an image at all") : png[..(png.Length / 2)];
        var input = SampleRequests.Create(fields: [new(FieldType.Signature, 2, 72, 600, 180, 50, null, broken, null)]);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => fixture.Sealer.SealAsync(input, CancellationToken.None));

        Assert.Contains("Field 1 (Signature, page 2): the image is not a readable PNG", error.Message);
    }

    [Fact]
    public async Task Field_with_two_values_is_rejected()
    {
        var input = SampleRequests.Create(fields: [new(FieldType.Checkbox, 1, 72, 72, 14, 14, "yes", null, true)]);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => fixture.Sealer.SealAsync(input, CancellationToken.None));

        Assert.Contains("exactly one of Text, Image or Checked", error.Message);
    }

    [Fact]
    public async Task Damaged_original_is_rejected_with_a_clear_message()
    {
        var input = SampleRequests.Create(pdf: Encoding.ASCII.GetBytes("%PDF-1.7\nthis is not really a PDF"));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => fixture.Sealer.SealAsync(input, CancellationToken.None));

        Assert.StartsWith("The original PDF could not be opened for sealing", error.Message);
    }

    [Fact]
    public async Task Wrong_original_hash_is_rejected_so_the_certificate_cannot_misstate_it()
    {
        var input = SampleRequests.Create() with { OriginalSha256 = new string('0', 64) };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => fixture.Sealer.SealAsync(input, CancellationToken.None));

        Assert.Contains("is not the SHA-256 of the original PDF", error.Message);
    }

    [Fact]
    public async Task Concurrent_seals_are_all_valid()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() =>
            fixture.Sealer.SealAsync(SampleRequests.Create(testMode: i % 2 == 0), CancellationToken.None))));

        foreach (var result in results)
        {
            Assert.Contains("Signature is Valid", (await PdfTools.PdfSig(result.Content)).Output);
            Assert.Contains(SampleRequests.TextValue, await PdfTools.Text(result.Content, page: 1));
        }
    }

    [Fact]
    public void Registering_the_font_resolver_twice_is_harmless()
    {
        SealingFonts.EnsureRegistered();
        SealingFonts.EnsureRegistered();

        Assert.IsType<SealingFonts>(PdfSharp.Fonts.GlobalFontSettings.FontResolver);
    }

    /// <summary>Two pages of text saved by PDFsharp with its default (compressed) settings.</summary>
    private static byte[] PdfSharpContract()
    {
        SealingFonts.EnsureRegistered();
        using var document = new PdfSharp.Pdf.PdfDocument();
        var font = new PdfSharp.Drawing.XFont(SealingFonts.Family, 10);
        for (var p = 1; p <= 2; p++)
        {
            using var graphics = PdfSharp.Drawing.XGraphics.FromPdfPage(document.AddPage());
            for (var line = 1; line <= 40; line++)
                graphics.DrawString($"Clause {p}.{line} of the agreement", font, PdfSharp.Drawing.XBrushes.Black, 72, 80 + line * 15);
        }
        using var output = new MemoryStream();
        document.Save(output, false);
        return output.ToArray();
    }

    [GeneratedRegex(@"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")]
    private static partial Regex ByteRange();

    [GeneratedRegex(@"<page width=""([\d.]+)""")]
    private static partial Regex PageWidth();

    [GeneratedRegex(@"xMax=""([\d.]+)"" yMax=""[\d.]+"">([^<]*)<")]
    private static partial Regex WordRight();
}
