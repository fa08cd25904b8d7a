using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ESign.Hub.Documents;

/// <summary>A page could not be drawn in time or at all; the message says why, for a 422.</summary>
public sealed class PageRenderException(string message) : Exception(message);

/// <summary>One PDF page as a PNG, drawn by poppler's <c>pdftoppm</c> (signing pages, template previews).</summary>
public sealed class PageRasterizer
{
    /// <summary>Longest a page may take to draw; every page of an ordinary document takes well under a second.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(8);

    /// <summary>Most pixels one image may have (16 MP: a Letter page at 110 dpi is 1.1 MP); larger pages are drawn at a lower resolution.</summary>
    public const double MaxPixels = 16_000_000;

    /// <summary>How much of pdftoppm's error output is kept for the message; the rest is read and dropped.</summary>
    private const int KeptErrorChars = 4096;

    /// <summary>The page as PNG, or null when the PDF has no such page.</summary>
    /// <param name="size">The page's size in points (as shown), to keep the image within <see cref="MaxPixels"/>.</param>
    public async Task<byte[]?> RenderPngAsync(byte[] pdf, int page, PageSize size, CancellationToken ct, int dpi = 110)
    {
        var work = Directory.CreateTempSubdirectory("esign-page");
        try
        {
            var input = Path.Combine(work.FullName, "in.pdf");
            await File.WriteAllBytesAsync(input, pdf, ct);
            var output = Path.Combine(work.FullName, "page");
            var p = page.ToString(CultureInfo.InvariantCulture);
            var resolution = ResolutionFor(size, dpi);
            var start = new ProcessStartInfo("pdftoppm",
                ["-png", "-r", resolution.ToString("0.###", CultureInfo.InvariantCulture), "-f", p, "-l", p, "-singlefile", input, output])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using var process = Process.Start(start) ?? throw new InvalidOperationException("pdftoppm did not start.");
            // Both pipes are read while it runs: a PDF can make poppler print megabytes of warnings, and a full pipe
            // would block it until the timeout.
            var errors = DrainAsync(process.StandardError);
            var stdout = DrainAsync(process.StandardOutput);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                ct.ThrowIfCancellationRequested();
                throw new PageRenderException($"Page {page} could not be drawn within {Timeout.TotalSeconds:0} seconds.");
            }
            var error = await errors;
            await stdout;
            var png = output + ".png";
            if (process.ExitCode != 0 || !File.Exists(png))
            {
                // pdftoppm writes nothing for a page past the end; anything else is a real failure.
                if (error.Contains("first page", StringComparison.OrdinalIgnoreCase) || error.Contains("Wrong page range", StringComparison.OrdinalIgnoreCase) || !File.Exists(png))
                    return null;
                throw new PageRenderException($"Page {page} could not be drawn: {error.Split('\n')[0]}");
            }
            return await File.ReadAllBytesAsync(png, ct);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>The requested dpi, or less when the page would be more than <see cref="MaxPixels"/> at it.</summary>
    public static double ResolutionFor(PageSize size, int dpi)
    {
        var inches = Math.Max(1, size.Width) / 72 * Math.Max(1, size.Height) / 72;
        return Math.Min(dpi, Math.Floor(Math.Sqrt(MaxPixels / inches) * 1000) / 1000);
    }

    /// <summary>Reads a pipe to its end, keeping only the first <see cref="KeptErrorChars"/> characters.</summary>
    private static async Task<string> DrainAsync(StreamReader reader)
    {
        var kept = new StringBuilder();
        var buffer = new char[8192];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
            if (kept.Length < KeptErrorChars) kept.Append(buffer, 0, Math.Min(read, KeptErrorChars - kept.Length));
        return kept.ToString();
    }
}
