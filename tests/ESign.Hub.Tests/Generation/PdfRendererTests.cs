using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ESign.Hub.Generation;
using ESign.Hub.Samples;
using UglyToad.PdfPig;

namespace ESign.Hub.Tests.Generation;

[Collection(ChromiumCollection.Name)]
public sealed class PdfRendererTests(ChromiumFixture chromium)
{
    private static readonly RenderOptions A4 = new();

    private async Task<byte[]> GenerateAsync(string template, JsonElement data, RenderOptions? options = null)
    {
        var html = chromium.Templates.Render(template, data, options ?? A4, CancellationToken.None);
        return await chromium.Pdf.RenderAsync(html, options ?? A4, CancellationToken.None);
    }

    private static (int Pages, string[] PageTexts) Read(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return (document.NumberOfPages, document.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))).ToArray());
    }

    [Fact]
    public async Task Contract_becomes_a_two_page_pdf_with_merged_text_tags_and_page_numbers()
    {
        var pdf = await GenerateAsync(ContractSample.Template, ContractSample.Data());

        Assert.StartsWith("%PDF-", System.Text.Encoding.ASCII.GetString(pdf, 0, 5));
        var (pages, texts) = Read(pdf);
        Assert.Equal(2, pages);
        Assert.Contains("Service Agreement SA-2026-017", texts[0]);
        Assert.Contains("1 March 2026", texts[0]);
        Assert.Contains("€1,234.50", texts[0]);
        Assert.Contains("Discount: €150.00", texts[0]);
        Assert.Contains("ACME & Co", texts[0]);
        Assert.Contains("Custom connector", texts[0]);
        Assert.Contains("1 / 2", texts[0]);
        Assert.Contains("[sig|req|signer1]", texts[1]);
        Assert.Contains("[sig|req|signer2]", texts[1]);
        Assert.Contains("[date|req|signer2]", texts[1]);
        Assert.Contains("2 / 2", texts[1]);

        // poppler reads the same text, so the tags can be found by either tool.
        var popplerText = await Infrastructure.PdfTools.Text(pdf, page: 2);
        Assert.Contains("[sig|req|signer1]", popplerText);
    }

    // Today's way, kept as the reference: tags printed as white text, then found in the PDF's text with PdfPig.
    private async Task<List<ESign.Hub.Documents.TextTag>> TagsFoundInTextAsync(string html, RenderOptions options)
    {
        var white = GenerateDocument.MarkTextTags(html, "reference").Replace("class=\"reference\"", "style=\"color:#ffffff\"");
        return ESign.Hub.Documents.TextTags.Find(await chromium.Pdf.RenderAsync(white, options, CancellationToken.None));
    }

    public static TheoryData<string, string> TagLayouts() => new()
    {
        { "contract", "A4" },
        // Lines pushed past a page end, a right-aligned tag, a larger font, Letter paper with other margins.
        { "long", "A4" },
        { "long", "Letter" },
    };

    [Theory]
    [MemberData(nameof(TagLayouts))]
    public async Task Text_tags_are_measured_where_they_print_and_are_not_in_the_pdf(string document, string paper)
    {
        var lines = string.Concat(Enumerable.Range(1, 75).Select(i => $"<p style='margin:0'>Clause {i}: the parties agree to this line.</p>"));
        var html = document == "contract"
            ? chromium.Templates.Render(ContractSample.Template, ContractSample.Data(), A4, CancellationToken.None)
            : $"<body style='font-family:Liberation Sans;font-size:11pt'><p>Client: [sig|req|client|Client signature]</p>"
              + $"<div style='text-align:right'>Reference [text|noreq|signer1]</div>{lines}<p>[initial|req|signer2]</p>"
              + $"<p style='font-size:14pt'>Date: [date|req|signer2]</p></body>";
        var options = paper == "A4" ? A4 : new RenderOptions("Letter", "0.5in", "1in", "10mm", "12mm", PageNumbers: false);
        var reference = await TagsFoundInTextAsync(html, options);

        var rendered = await chromium.Pdf.RenderAsync(GenerateDocument.MarkTextTags(html, "esign-mark"), options, "esign-mark", CancellationToken.None);

        Assert.Equal(document == "contract" ? 4 : 4, reference.Count);
        Assert.Equal(reference.Count, rendered.Marks.Count);
        foreach (var (expected, mark) in reference.Zip(rendered.Marks))
        {
            var tag = ESign.Hub.Documents.TextTags.Parse(mark.Text, mark.Page, mark.X, mark.Y, mark.Width, mark.Height);
            Assert.NotNull(tag);
            Assert.Equal((expected.Type, expected.Signer, expected.Label, expected.Page), (tag.Type, tag.Signer, tag.Label, tag.Page));
            Assert.InRange(tag.X, expected.X - 1, expected.X + 1);
            Assert.InRange(tag.Y, expected.Y - 1, expected.Y + 1);
            Assert.InRange(tag.Width, expected.Width - 1, expected.Width + 1);
            Assert.InRange(tag.Height, expected.Height - 1, expected.Height + 1);
        }
        if (document == "long") Assert.Contains(rendered.Marks, m => m.Page == 2);

        var text = await Infrastructure.PdfTools.Text(rendered.Content);
        Assert.DoesNotContain("|req|", text);
        Assert.DoesNotContain("[", text);
        Assert.Contains(document == "contract" ? "Signatures" : "Clause 75", text);
        Assert.Empty(ESign.Hub.Documents.TextTags.Find(rendered.Content));
    }

    [Fact]
    public async Task A_meta_refresh_never_reaches_the_next_render_on_the_same_page()
    {
        using var canary = new TcpListener(IPAddress.Loopback, 0);
        canary.Start();
        var secret = $"http://127.0.0.1:{((IPEndPoint)canary.LocalEndpoint).Port}/A-SECRET?token=abc";
        await using var renderer = ChromiumFixture.NewRenderer(pagePoolSize: 1);
        var hostile = $"<html><head><title>A's own</title><meta http-equiv=\"refresh\" content=\"0;url={secret}\"></head><body><p>A</p></body></html>";

        Assert.Contains("A", await Infrastructure.PdfTools.Text(await renderer.RenderAsync(hostile, A4, CancellationToken.None)));
        for (var i = 0; i < 8; i++)
        {
            var pdf = await renderer.RenderAsync($"<p>B render {i}</p>", A4, CancellationToken.None);

            using var document = PdfDocument.Open(pdf);
            Assert.DoesNotContain("SECRET", document.Information.Title ?? "");
            Assert.DoesNotContain("A's own", document.Information.Title ?? "");
            Assert.DoesNotContain("SECRET", System.Text.Encoding.Latin1.GetString(pdf));
            Assert.Contains($"B render {i}", await Infrastructure.PdfTools.Text(pdf));
        }
        Assert.False(canary.Pending());
    }

    [Fact]
    public async Task A_delayed_self_refresh_never_reloads_a_later_render()
    {
        await using var renderer = ChromiumFixture.NewRenderer(pagePoolSize: 1);
        await renderer.RenderAsync("<meta http-equiv=\"refresh\" content=\"1\"><p>A</p>", A4, CancellationToken.None);

        // Back-to-back renders on the same page for longer than the refresh delay: none may be reloaded under it.
        var until = Stopwatch.StartNew();
        var i = 0;
        while (until.Elapsed < TimeSpan.FromSeconds(2.5))
        {
            var pdf = await renderer.RenderAsync($"<p>B render {++i}</p>", A4, CancellationToken.None);
            Assert.Contains($"B render {i}", await Infrastructure.PdfTools.Text(pdf));
        }
    }

    [Fact]
    public async Task German_letter_paper_without_page_numbers()
    {
        var options = new RenderOptions(PaperFormat: "Letter", PageNumbers: false, Culture: "de-DE");

        var pdf = await GenerateAsync(ContractSample.Template, ContractSample.Data(), options);

        using var document = PdfDocument.Open(pdf);
        var first = document.GetPage(1);
        Assert.Equal(612, first.Width, 0);  // 8.5 in × 72
        Assert.Equal(792, first.Height, 0);
        var text = string.Join(" ", first.GetWords().Select(w => w.Text));
        Assert.Contains("1.234,50 €", text);
        Assert.Contains("1 März 2026", text);
        Assert.DoesNotContain("1 / 2", text);
    }

    [Fact]
    public async Task Markup_in_data_is_printed_as_text()
    {
        var data = JsonSerializer.SerializeToElement(new
        {
            a = "<script>document.title='pwned'</script>",
            b = "<img src=x onerror=alert(1)>",
        });

        var pdf = await GenerateAsync("<p>A: {{ a }}</p><p>B: {{ b }}</p>", data);

        var text = Read(pdf).PageTexts[0];
        Assert.Contains("<script>document.title='pwned'</script>", text);
        Assert.Contains("<img src=x onerror=alert(1)>", text);
    }

    [Fact]
    public async Task Network_requests_never_leave_the_page()
    {
        using var canary = new TcpListener(IPAddress.Loopback, 0);
        canary.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)canary.LocalEndpoint).Port}";
        var html =
            $$"""
            <html><head>
              <link rel="stylesheet" href="{{url}}/style.css">
              <style>
                @font-face { font-family: Canary; src: url('{{url}}/font.woff2'); }
                body { font-family: Canary, sans-serif; background: url('{{url}}/bg.png'); }
              </style>
              <script src="{{url}}/script.js"></script>
            </head><body>
              <p>Inline image still works:</p>
              <img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==" width="20" height="20">
              <img src="{{url}}/img.png">
              <iframe src="{{url}}/frame.html"></iframe>
              <object data="{{url}}/object.pdf"></object>
              <video poster="{{url}}/poster.png"></video>
              <iframe src="file:///etc/passwd"></iframe>
              <img src="file:///etc/passwd">
              <link rel="stylesheet" href="file:///etc/passwd">
              <object data="file:///etc/passwd"></object>
              <script>fetch('{{url}}/fetch'); new Image().src = '{{url}}/js-image';</script>
              <p>end</p>
            </body></html>
            """;

        var pdf = await chromium.Pdf.RenderAsync(html, A4, CancellationToken.None);

        // Give any late request time to arrive, then check that nothing connected.
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var accepted = canary.AcceptSocketAsync(wait.Token).AsTask();
        var connected = await Task.WhenAny(accepted, Task.Delay(TimeSpan.FromSeconds(1.5))) == accepted && accepted.IsCompletedSuccessfully;
        if (connected)
        {
            using var socket = await accepted;
            var buffer = new byte[2048];
            using var read = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            var n = 0;
            try { n = await socket.ReceiveAsync(buffer, SocketFlags.None, read.Token); } catch (OperationCanceledException) { }
            Assert.Fail("Chromium connected to the loopback canary: " + System.Text.Encoding.ASCII.GetString(buffer, 0, n));
        }
        Assert.False(canary.Pending());

        var text = string.Join("\n", Read(pdf).PageTexts) + await Infrastructure.PdfTools.Text(pdf);
        Assert.Contains("end", text);
        Assert.DoesNotContain("root:", text);
        Assert.DoesNotContain("/bin/", text);
        using var document = PdfDocument.Open(pdf);
        // The data: image is drawn (the others show as broken-image icons).
        Assert.Contains(document.GetPage(1).GetImages(), image => image.WidthInSamples == 1 && image.HeightInSamples == 1);
    }

    [Fact]
    public async Task Eight_concurrent_renders_all_succeed()
    {
        var html = chromium.Templates.Render(ContractSample.Template, ContractSample.Data(), A4, CancellationToken.None);

        var pdfs = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => chromium.Pdf.RenderAsync(html, A4, CancellationToken.None)));

        Assert.All(pdfs, pdf => Assert.Equal(2, Read(pdf).Pages));
    }

    [Fact]
    public async Task Unknown_paper_format_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => chromium.Pdf.RenderAsync("<p>x</p>", new RenderOptions(PaperFormat: "A3"), CancellationToken.None));
    }
}

/// <summary>Each test starts its own Chromium, since it kills or freezes it.</summary>
[Collection(ChromiumCollection.Name)]
public sealed class PdfRendererRecoveryTests
{
    private const string Html = "<p>Recovered [sig|req|signer1]</p>";

    [Fact]
    public async Task Render_after_chromium_was_killed_succeeds()
    {
        await using var renderer = ChromiumFixture.NewRenderer();
        await renderer.RenderAsync(Html, new RenderOptions(), CancellationToken.None);
        var pid = renderer.BrowserProcessId ?? throw new InvalidOperationException("No Chromium process.");

        using (var process = Process.GetProcessById(pid))
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        var pdf = await renderer.RenderAsync(Html, new RenderOptions(), CancellationToken.None);
        Assert.Contains("[sig|req|signer1]", await Infrastructure.PdfTools.Text(pdf));
        Assert.NotEqual(pid, renderer.BrowserProcessId);
    }

    [Fact]
    public async Task Render_with_a_frozen_chromium_restarts_it_within_the_timeout()
    {
        await using var renderer = ChromiumFixture.NewRenderer(timeoutSeconds: 12);
        await renderer.RenderAsync(Html, new RenderOptions(), CancellationToken.None);
        var pid = renderer.BrowserProcessId ?? throw new InvalidOperationException("No Chromium process.");

        Signal("STOP", pid); // the browser process stops answering but stays connected
        try
        {
            var started = Stopwatch.StartNew();
            var pdf = await renderer.RenderAsync(Html, new RenderOptions(), CancellationToken.None);

            Assert.InRange(started.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(12));
            Assert.Contains("Recovered", await Infrastructure.PdfTools.Text(pdf));
            Assert.NotEqual(pid, renderer.BrowserProcessId);
        }
        finally
        {
            Signal("CONT", pid); // harmless if it was killed
        }
    }

    [Fact]
    public async Task Render_never_exceeds_its_timeout()
    {
        // 3 s: the first attempt's third and the 2 s probe of the frozen browser use it all up.
        await using var renderer = ChromiumFixture.NewRenderer(timeoutSeconds: 3, pagePoolSize: 1);
        await renderer.WarmUpAsync(CancellationToken.None); // launching is not part of the budget under test
        await renderer.RenderAsync(Html, new RenderOptions(), CancellationToken.None);
        var pid = renderer.BrowserProcessId ?? throw new InvalidOperationException("No Chromium process.");

        // Freeze the browser and everything it started, so the retry after the restart is the only way out… and the
        // budget is too small for it: the render must give up on time.
        Signal("STOP", pid);
        try
        {
            var started = Stopwatch.StartNew();
            await Assert.ThrowsAsync<TimeoutException>(() => renderer.RenderAsync(Html, new RenderOptions(), CancellationToken.None));
            Assert.InRange(started.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(3.5));
        }
        finally
        {
            Signal("CONT", pid);
        }
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }
}
