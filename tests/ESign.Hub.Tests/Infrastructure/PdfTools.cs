using System.Diagnostics;

namespace ESign.Hub.Tests.Infrastructure;

/// <summary>
/// The independent checkers: poppler's pdfsig, pdftotext and pdfimages, and qpdf, run on a PDF written to a temporary
/// file. Arguments go through ArgumentList (no shell); every run has a timeout.
/// </summary>
public static class PdfTools
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public sealed record Result(int ExitCode, string Output);

    public static Task<Result> PdfSig(byte[] pdf) => RunOnAsync(pdf, "pdfsig", []);

    public static Task<Result> QpdfCheck(byte[] pdf) => RunOnAsync(pdf, "qpdf", ["--check"]);

    /// <summary>Text in reading order (-layout off); <paramref name="page"/> limits it to one page.</summary>
    public static async Task<string> Text(byte[] pdf, int? page = null, params string[] options)
    {
        string[] range = page is { } p ? ["-f", $"{p}", "-l", $"{p}"] : [];
        var result = await RunOnAsync(pdf, "pdftotext", [.. options, .. range], "-");
        Assert.True(result.ExitCode == 0, $"pdftotext failed: {result.Output}");
        return result.Output;
    }

    public static async Task<string> ImageList(byte[] pdf)
    {
        var result = await RunOnAsync(pdf, "pdfimages", ["-list"]);
        Assert.True(result.ExitCode == 0, $"pdfimages failed: {result.Output}");
        return result.Output;
    }

    private static async Task<Result> RunOnAsync(byte[] pdf, string tool, string[] arguments, string? after = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"esign-seal-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(path, pdf);
        try
        {
            var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments) start.ArgumentList.Add(argument);
            start.ArgumentList.Add(path);
            if (after is not null) start.ArgumentList.Add(after);

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start.");
            using var timeout = new CancellationTokenSource(Timeout);
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{tool} did not finish within {Timeout.TotalSeconds} s.");
            }
            return new Result(process.ExitCode, await stdout + await stderr);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
