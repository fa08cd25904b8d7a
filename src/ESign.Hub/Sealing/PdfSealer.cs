using System.Security.Cryptography;
using ESign.Hub.Documents;
using ESign.Hub.Hosting;
using Microsoft.Extensions.Options;
using PdfSharp.Pdf;
using PdfSharp.Pdf.IO;
using PdfSharp.Pdf.Signatures;

namespace ESign.Hub.Sealing;

/// <summary>
/// Produces the final PDF of a completed request: the document's own form fields flattened, the collected field values
/// drawn on their pages, active content (actions, JavaScript, embedded files) removed, the audit certificate appended, a test-mode watermark on every page when it applies, and one
/// digital signature (the seal) over the whole file. PDFsharp cannot append a second signature without breaking the
/// first, so a document is sealed exactly once, at completion (docs/decisions/004-sealing.md).
/// </summary>
public sealed class PdfSealer(ISealingCertificateSource certificates, IOptions<SealingOptions> options, IOptions<HubOptions> hub)
{
    public const string Reason = "Signed and sealed by ESign.Hub";
    public const string AppName = "ESign.Hub";

    private readonly Uri? _timestampAuthority =
        string.IsNullOrWhiteSpace(options.Value.TimestampUrl) ? null : new Uri(options.Value.TimestampUrl, UriKind.Absolute);

    /// <summary>Seals <paramref name="input"/>. Throws <see cref="ArgumentException"/> naming the problem for an unreadable
    /// PDF, an <see cref="SealInput.OriginalSha256"/> that is not its hash, or a field that cannot be drawn (page out of
    /// range, box outside its page, broken image). Safe to call concurrently.</summary>
    public async Task<SealedPdf> SealAsync(SealInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(input.Fields);
        ArgumentNullException.ThrowIfNull(input.Signers);
        ArgumentNullException.ThrowIfNull(input.Timeline);
        if (input.OriginalPdf is not { Length: > 0 })
            throw new ArgumentException("The original PDF is empty.", nameof(input));
        // The certificate prints this hash as the original's fingerprint; it must be the hash of these bytes.
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(input.OriginalPdf));
        if (!string.Equals(sha256, input.OriginalSha256, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException(
                $"OriginalSha256 '{input.OriginalSha256}' is not the SHA-256 of the original PDF ({sha256}).", nameof(input));

        // Uploads are checked before they are stored; this covers documents stored before a limit existed or was lowered,
        // so PDFsharp never opens a file that could overflow its stack or inflate without bound.
        var limits = PdfLimits.From(hub.Value.Documents) with { MaxPages = int.MaxValue };
        if (PdfStructureCheck.Check(input.OriginalPdf, limits) is { } problem)
            throw new ArgumentException($"The original PDF could not be opened for sealing: {problem}", nameof(input));

        SealingFonts.EnsureRegistered();
        var certificate = await certificates.GetAsync(ct);

        using var document = Open(input.OriginalPdf);
        FlateStreamRepair.Repair(document, limits.MaxStreamDecompressedBytes);
        // Before anything is added to the pages: the tags are matched against the original's glyphs.
        TextTagRedaction.Apply(document, input.OriginalPdf, input.Fields);
        FormFlattener.Flatten(document);
        var activeContentRemoved = ActiveContentRemover.Remove(document);
        FieldStamper.Stamp(document, input.Fields);
        ct.ThrowIfCancellationRequested();
        AuditCertificateWriter.Append(document, input, certificate, activeContentRemoved);
        if (input.TestMode) TestModeWatermark.Apply(document);
        ct.ThrowIfCancellationRequested();

        // No Rectangle: an invisible signature. The audit certificate names the sealing certificate in its text.
        DigitalSignatureHandler.ForDocument(document,
            new PdfSharpDefaultSigner(certificate, PdfMessageDigestType.SHA256, _timestampAuthority),
            new DigitalSignatureOptions { Reason = Reason, AppName = AppName, PageIndex = document.PageCount - 1 });

        // PDFsharp's own flate streams make qpdf --check exit 3; uncompressed output is clean and only a little larger.
        document.Options.NoCompression = true;
        document.Options.CompressContentStreams = false;
        var pageCount = document.PageCount;
        // Save to memory: PDFsharp leaves a truncated file behind if signing fails (e.g. timestamp authority down).
        using var output = new MemoryStream();
        await document.SaveAsync(output, closeStream: false);
        var content = output.ToArray();
        return new SealedPdf(content, Convert.ToHexStringLower(SHA256.HashData(content)), pageCount);
    }

    private static PdfDocument Open(byte[] pdf)
    {
        try
        {
            return PdfSharpInput.Open(pdf, PdfDocumentOpenMode.Modify);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ArgumentException($"The original PDF could not be opened for sealing: {e.Message}", nameof(pdf), e);
        }
    }
}
