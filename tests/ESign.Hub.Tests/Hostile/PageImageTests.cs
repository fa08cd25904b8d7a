using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using ESign.Hub.Documents;
using ESign.Hub.Tests.Infrastructure;

namespace ESign.Hub.Tests.Hostile;

/// <summary>Page images of hostile pages come quickly and bounded, and signing links never reach the logs.</summary>
public sealed class PageImageTests
{
    [Fact]
    public async Task A_page_that_makes_poppler_print_megabytes_of_warnings_is_drawn_without_hanging()
    {
        // Uploads refuse this nesting; the rasteriser must cope on its own (template previews, documents stored earlier).
        var pdf = HostilePdfs.DeepArrayInContent(200_000);
        var clock = Stopwatch.StartNew();
        var png = await new PageRasterizer().RenderPngAsync(pdf, 1, new PageSize(612, 792), CancellationToken.None);
        Assert.NotNull(png);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"It took {clock.Elapsed.TotalSeconds:0.0} s.");
    }

    [Fact]
    public async Task The_largest_page_a_pdf_may_have_is_drawn_within_the_pixel_limit()
    {
        var pdf = HostilePdfs.Page("/MediaBox [0 0 14400 14400]");
        var clock = Stopwatch.StartNew();
        var png = (await new PageRasterizer().RenderPngAsync(pdf, 1, new PageSize(14400, 14400), CancellationToken.None))!;
        var (width, height) = (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        Assert.InRange((double)width * height, 1, PageRasterizer.MaxPixels);
        Assert.InRange(width, 3900, 4000); // 16 MP as a square
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"It took {clock.Elapsed.TotalSeconds:0.0} s.");
    }

    [Fact]
    public async Task Signing_tokens_are_redacted_from_request_logs()
    {
        var data = Directory.CreateTempSubdirectory("esign-hub-redact-").FullName;
        try
        {
            const string key = "esk_test_redaction_key_0123456789abcdefgh";
            // Information level for ASP.NET Core: its request logging writes every path.
            await using var hub = await KillableHub.StartAsync(data, key, new Dictionary<string, string>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Information",
                ["Logging:Console:IncludeScopes"] = "true",
            });
            var documentId = await hub.Http.UploadPdfAsync(TestPdfs.Letter(1));
            var request = await hub.Http.CreateSignatureRequestAsync(HttpExtensions.SignatureRequestBody(documentId, "parallel") is var body
                ? new Dictionary<string, object?>(body) { ["fields"] = Array.Empty<object>() } : null!);
            var url = (string)request["signers"]![0]!["signing_url"]!;
            var token = new Uri(url).Segments[^1];
            using var browser = new HttpClient { BaseAddress = hub.BaseAddress };
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/sign/{token}")).StatusCode);
            await browser.GetAsync($"/sign/{token}/pages/1.png");
            await browser.GetAsync($"/sign/{token}/pages/99.png");
            await Task.Delay(500); // console logging is asynchronous

            var logs = string.Join('\n', hub.Output);
            Assert.Contains("/sign/[redacted]", logs, StringComparison.Ordinal);
            Assert.DoesNotContain(token, logs, StringComparison.Ordinal);
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }
}
