using System.Diagnostics;
using System.Globalization;

namespace ESign.Hub.Documents;

/// <summary>One PDF page as a PNG, drawn by poppler's <c>pdftoppm</c> (signing pages, template previews).</summary>
public sealed class PageRasterizer
{
    /// <summary>The page as PNG, or null when the PDF has no such page.</summary>
    public async Task<byte[]?> RenderPngAsync(byte[] pdf, int page, CancellationToken ct, int dpi = 110)
    {
        var work = Directory.CreateTempSubdirectory("esign-page");
        try
        {
            var input = Path.Combine(work.FullName, "in.pdf");
            await File.WriteAllBytesAsync(input, pdf, ct);
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
            var png = output + ".png";
            if (process.ExitCode != 0 || !File.Exists(png))
            {
                var error = await process.StandardError.ReadToEndAsync(ct);
                // pdftoppm writes nothing for a page past the end; anything else is a real failure.
                if (error.Contains("first page", StringComparison.OrdinalIgnoreCase) || error.Contains("Wrong page range", StringComparison.OrdinalIgnoreCase) || !File.Exists(png))
                    return null;
                throw new InvalidOperationException($"pdftoppm failed: {error}");
            }
            return await File.ReadAllBytesAsync(png, ct);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
