using System.Diagnostics;
using System.Globalization;
using ESign.Hub.Documents;
using ESign.Hub.Storage.Blobs;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Signing;

/// <summary>
/// PNG images of document pages for the signing page, rendered once with poppler's <c>pdftoppm</c> and kept in the blob
/// store beside the PDF.
/// </summary>
public sealed class PageImages(IBlobStore blobs, IOptions<SigningOptions> options)
{
    public async Task<Stream?> OpenAsync(Document document, int page, CancellationToken ct)
    {
        var dpi = options.Value.PageImageDpi;
        var key = $"{document.BlobKey}.pages/{page}-{dpi}.png";
        var cached = await blobs.OpenReadAsync(key, ct);
        if (cached is not null) return cached;

        await using var pdf = await blobs.OpenReadAsync(document.BlobKey, ct);
        if (pdf is null) return null;
        var work = Directory.CreateTempSubdirectory("esign-page");
        try
        {
            var input = Path.Combine(work.FullName, "in.pdf");
            await using (var file = File.Create(input)) await pdf.CopyToAsync(file, ct);
            var output = Path.Combine(work.FullName, "page");
            var p = page.ToString(CultureInfo.InvariantCulture);
            using var process = Process.Start(new ProcessStartInfo("pdftoppm",
                ["-png", "-r", dpi.ToString(CultureInfo.InvariantCulture), "-f", p, "-l", p, "-singlefile", input, output])
                { RedirectStandardError = true })
                ?? throw new InvalidOperationException("pdftoppm did not start.");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"pdftoppm failed: {await process.StandardError.ReadToEndAsync(ct)}");
            var png = await File.ReadAllBytesAsync(output + ".png", ct);
            await blobs.PutAsync(key, png, ct);
            return new MemoryStream(png, writable: false);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
