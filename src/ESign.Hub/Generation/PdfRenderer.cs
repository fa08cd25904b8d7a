using System.Diagnostics;
using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;
using PuppeteerSharp;
using PuppeteerSharp.Media;

namespace ESign.Hub.Generation;

/// <summary>
/// HTML → PDF in headless Chromium (PuppeteerSharp). One browser stays warm and a small pool of pages is reused, since
/// a new page costs more than a whole render. Pages run without JavaScript and abort every request that is not a
/// data: URL, so a template cannot reach the network or local files; navigations (meta refresh, links) are answered
/// "204 No Content" so they never leave the document, and a page whose document asked for a refresh goes back to
/// about:blank before it is reused, so one render never sees or disturbs another's document. Thread-safe; meant to be a singleton.
/// </summary>
public sealed class PdfRenderer : IAsyncDisposable
{
    private static readonly string[] ChromiumFlags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        // Not in the original list: without it, an <iframe> to 127.0.0.1 still got a speculative TCP connection (no
        // request) before interception and the CSP applied. No name or address resolves, IP literals included.
        // (PuppeteerSharp joins the arguments into one string, hence the quotes.)
        "--host-resolver-rules=\"MAP * ~NOTFOUND\"",
    ];

    // The page-number footer is a CSS page-margin box, laid out with the document in one pass. Chromium's header/footer
    // templates are separate documents laid out and painted once per page, which cost 10–15 % of a render. A template
    // may restyle or replace it with its own @page rules (they come later in the cascade).
    private const string PageNumberFooter =
        "<style>@page { @bottom-center { content: counter(page) \" / \" counter(pages); "
        + "font: 8px 'Liberation Sans', sans-serif; color: #000; } }</style>";

    // Second layer under request interception: frames and objects start a navigation, and Chromium opens a speculative
    // connection to their origin before interception sees the request. A CSP blocks them before that. Inline styles and
    // data: images/fonts stay allowed; scripts are off anyway.
    private const string ContentSecurityPolicy =
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; font-src data:; "
        + "style-src 'unsafe-inline' data:; media-src data:; base-uri 'none'; form-action 'none'\">";

    private readonly GenerationOptions _options;
    private readonly ILogger<PdfRenderer> _logger;
    private readonly SemaphoreSlim _pageSlots;
    private readonly ConcurrentQueue<IPage> _idlePages = new();
    private readonly SemaphoreSlim _browserLock = new(1, 1);
    private IBrowser? _browser;
    private bool _disposed;

    public PdfRenderer(IOptions<GenerationOptions> options, ILogger<PdfRenderer> logger)
    {
        _options = options.Value;
        _logger = logger;
        _pageSlots = new SemaphoreSlim(_options.PagePoolSize, _options.PagePoolSize);
    }

    /// <summary>Chromium's main process id while a browser runs (tests kill it to check recovery).</summary>
    internal int? BrowserProcessId => _browser?.Process is { } process && !process.HasExited ? process.Id : null;

    /// <summary>Starts Chromium now instead of at the first render.</summary>
    public async Task WarmUpAsync(CancellationToken ct) => await BrowserAsync(failed: null, ct);

    /// <summary>
    /// Prints <paramref name="html"/> to PDF with <paramref name="options"/> (paper, margins, page-number footer). Takes at
    /// most <see cref="GenerationOptions.RenderTimeoutSeconds"/>, waiting for a free page included, else throws
    /// <see cref="TimeoutException"/>. If Chromium crashed or hangs, it is restarted and the render retried once.
    /// </summary>
    public async Task<byte[]> RenderAsync(string html, RenderOptions options, CancellationToken ct) =>
        (await RenderAsync(html, options, markClass: null, ct)).Content;

    /// <summary>
    /// Like <see cref="RenderAsync(string, RenderOptions, CancellationToken)"/>, and also measures every element with the
    /// class <paramref name="markClass"/> in the print layout, then hides it (<c>visibility: hidden</c>: it keeps its place
    /// in the layout but is neither painted nor in the PDF's text). The marks come back with their text and printed box.
    /// </summary>
    public async Task<RenderedPdf> RenderAsync(string html, RenderOptions options, string? markClass, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(html);
        var pdfOptions = PdfOptionsFor(options);
        var document = WithPrintHead(html, options.PageNumbers);
        var layout = PrintLayout.Of(options);
        ObjectDisposedException.ThrowIf(_disposed, this);

        var timeout = TimeSpan.FromSeconds(_options.RenderTimeoutSeconds);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await _pageSlots.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"No Chromium page became free within {timeout.TotalSeconds:0} s.");
        }

        var slotHandedOver = false;
        try
        {
            // The first attempt gets a third of the budget (a render takes a fraction of a second): a hung browser then
            // leaves two thirds for noticing it, launching a new one and rendering again, which a loaded machine needs.
            var started = Stopwatch.GetTimestamp();
            (RenderedPdf Pdf, IPage Page, bool Refreshes) done;
            try
            {
                done = await AttemptAsync(document, pdfOptions, layout, markClass, timeout / 3, deadline.Token);
            }
            catch (Exception e) when (!ct.IsCancellationRequested && IsBrowserFailure(e))
            {
                var left = timeout - Stopwatch.GetElapsedTime(started);
                _logger.LogWarning(e, "Chromium failed a render ({Reason}); restarting it and retrying once.", e.GetType().Name);
                await RestartAsync(deadline.Token);
                done = await AttemptAsync(document, pdfOptions, layout, markClass, left, deadline.Token);
            }
            if (done.Refreshes)
            {
                // The caller has its PDF now; the page is cleaned behind it and frees the slot once it is back in the pool.
                slotHandedOver = true;
                _ = ResetAsync(done.Page);
            }
            else
            {
                _idlePages.Enqueue(done.Page);
            }
            return done.Pdf;
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is OperationCanceledException or TimeoutException)
        {
            throw new TimeoutException($"The PDF was not rendered within {timeout.TotalSeconds:0} s.", e);
        }
        finally
        {
            if (!slotHandedOver) _pageSlots.Release();
        }
    }

    // A document that asked for a refresh goes back to about:blank before anyone else gets its page, so the refresh it
    // scheduled cannot fire in the middle of the next render. A page that cannot be reset is closed instead. Other
    // documents need no reset (the next one replaces the DOM and title, and without JavaScript nothing else runs), and
    // skipping it saves a navigation per render.
    private async Task ResetAsync(IPage page)
    {
        try
        {
            await page.GoToAsync("about:blank", new NavigationOptions { Timeout = 5_000 }).WaitAsync(TimeSpan.FromSeconds(5));
            _idlePages.Enqueue(page);
        }
        catch (Exception e) when (e is PuppeteerException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            _ = ClosePageAsync(page);
        }
        finally
        {
            _pageSlots.Release();
        }
    }

    private async Task<(RenderedPdf Pdf, IPage Page, bool Refreshes)> AttemptAsync(string document, PdfOptions pdfOptions, PrintLayout layout, string? markClass, TimeSpan timeout,
        CancellationToken ct)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(timeout);
        var page = await PageAsync(attempt.Token);
        try
        {
            var milliseconds = (int)Math.Max(1, timeout.TotalMilliseconds);
            await page.SetContentAsync(document, new SetContentOptions { Timeout = milliseconds, WaitUntil = [WaitUntilNavigation.Load] })
                .WaitAsync(attempt.Token);
            var marks = markClass is null ? [] : await PrintedMarks.MeasureAndHideAsync(page, markClass, layout).WaitAsync(attempt.Token);
            var pdf = await page.PdfDataAsync(pdfOptions).WaitAsync(attempt.Token);
            // With JavaScript off, a meta refresh is the only way a document navigates (or reloads) by itself.
            var refreshes = await page.EvaluateExpressionAsync<bool>("document.querySelector('meta[http-equiv=\"refresh\" i]') !== null")
                .WaitAsync(attempt.Token);
            return (new RenderedPdf(pdf, marks), page, refreshes);
        }
        catch
        {
            // A page that failed or timed out may be stuck mid-navigation: never reuse it.
            _ = ClosePageAsync(page);
            throw;
        }
    }

    private async Task<IPage> PageAsync(CancellationToken ct)
    {
        while (_idlePages.TryDequeue(out var idle))
        {
            if (!idle.IsClosed && idle.Browser == _browser && idle.Browser.IsConnected) return idle;
            _ = ClosePageAsync(idle);
        }

        var browser = await BrowserAsync(failed: null, ct);
        var page = await browser.NewPageAsync().WaitAsync(ct);
        try
        {
            await page.SetJavaScriptEnabledAsync(false).WaitAsync(ct);
            // Marks are measured in the layout that prints.
            await page.EmulateMediaTypeAsync(MediaType.Print).WaitAsync(ct);
            await page.SetRequestInterceptionAsync(true).WaitAsync(ct);
            page.Request += OnRequest;
            return page;
        }
        catch
        {
            _ = ClosePageAsync(page);
            throw;
        }
    }

    // Everything a document asks for (images, fonts, styles, frames) is refused unless it is inline (data:). A navigation
    // (meta refresh, a form, a link) gets "204 No Content", which leaves the document where it is: aborting it would
    // commit an error page, whose title is the URL and which destroys the document mid-render.
    private async void OnRequest(object? sender, RequestEventArgs e)
    {
        try
        {
            var url = e.Request.Url;
            if (e.Request.IsNavigationRequest)
                await e.Request.RespondAsync(new ResponseData { Status = HttpStatusCode.NoContent });
            else if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase) || url == "about:blank")
                await e.Request.ContinueAsync();
            else
                await e.Request.AbortAsync(RequestAbortErrorCode.BlockedByClient);
        }
        catch (Exception ex) when (ex is PuppeteerException or ObjectDisposedException or InvalidOperationException)
        {
            // The page closed or the browser went away while the request was pending; nothing left to allow or block.
        }
    }

    private async Task<IBrowser> BrowserAsync(IBrowser? failed, CancellationToken ct)
    {
        var current = _browser;
        if (current is { IsConnected: true } && current != failed) return current;

        await _browserLock.WaitAsync(ct);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_browser is { IsConnected: true } && _browser != failed) return _browser;
            if (_browser is not null)
            {
                // The old browser is dead or stuck: kill it now, let PuppeteerSharp clean up (temp profile) in the background.
                KillProcessTree(_browser.Process);
                _ = CloseBrowserAsync(_browser);
            }

            var launchOptions = new LaunchOptions
            {
                Headless = true,
                ExecutablePath = _options.ChromiumPath,
                Args = ChromiumFlags,
                Timeout = 30_000,
            };
            var launching = Puppeteer.LaunchAsync(launchOptions);
            try
            {
                _browser = await launching.WaitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                // The launch goes on without us; close that browser when it arrives instead of leaking it.
                _ = launching.ContinueWith(t => CloseBrowserAsync(t.Result), CancellationToken.None,
                    TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                throw;
            }
            _logger.LogInformation("Chromium started (pid {Pid}).", _browser.Process?.Id);
            return _browser;
        }
        finally
        {
            _browserLock.Release();
        }
    }

    // Called after a failed attempt: a browser that crashed or no longer answers is killed and replaced; a healthy one
    // is kept (the page alone was the problem, and it has been dropped).
    private async Task RestartAsync(CancellationToken ct)
    {
        var browser = _browser;
        if (browser is null) return;
        if (browser.IsConnected && await AnswersAsync(browser, ct)) return;
        KillProcessTree(browser.Process);
        await BrowserAsync(failed: browser, ct);
    }

    private static async Task<bool> AnswersAsync(IBrowser browser, CancellationToken ct)
    {
        try
        {
            await browser.GetVersionAsync().WaitAsync(TimeSpan.FromSeconds(2), ct);
            return true;
        }
        catch (Exception e) when (e is TimeoutException or PuppeteerException or ObjectDisposedException or InvalidOperationException)
        {
            return false;
        }
    }

    private static bool IsBrowserFailure(Exception e) =>
        e is PuppeteerException or TimeoutException or OperationCanceledException or ObjectDisposedException or InvalidOperationException
        || e.InnerException is not null && IsBrowserFailure(e.InnerException);

    private static async Task ClosePageAsync(IPage page)
    {
        try
        {
            if (!page.IsClosed) await page.CloseAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is PuppeteerException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            // The browser is gone or stuck; its restart cleans up.
        }
    }

    private async Task CloseBrowserAsync(IBrowser browser)
    {
        var process = browser.Process;
        try
        {
            await browser.CloseAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is PuppeteerException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            _logger.LogWarning("Chromium did not close cleanly: {Message}", e.Message);
        }
        finally
        {
            KillProcessTree(process);
        }
    }

    // Renderer and zygote processes can outlive a killed main process; end the whole tree we started.
    private static void KillProcessTree(Process? process)
    {
        try
        {
            if (process is { HasExited: false }) process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    // The policy goes first (after a doctype, so the document keeps its mode): a later policy in the template can only
    // add restrictions, never lift these. The page-number footer follows it, before the template's own styles.
    internal static string WithPrintHead(string html, bool pageNumbers)
    {
        var head = pageNumbers ? ContentSecurityPolicy + PageNumberFooter : ContentSecurityPolicy;
        var start = html.AsSpan().TrimStart();
        if (start.StartsWith("<!doctype", StringComparison.OrdinalIgnoreCase))
        {
            var end = html.IndexOf('>', html.Length - start.Length);
            if (end >= 0) return string.Concat(html.AsSpan(0, end + 1), head, html.AsSpan(end + 1));
        }
        return head + html;
    }

    internal static PdfOptions PdfOptionsFor(RenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var format = options.PaperFormat.ToUpperInvariant() switch
        {
            "A4" => PaperFormat.A4,
            "LETTER" => PaperFormat.Letter,
            _ => throw new ArgumentException($"Paper format '{options.PaperFormat}' is not supported; use A4 or Letter.", nameof(options)),
        };
        return new PdfOptions
        {
            Format = format,
            PrintBackground = true,
            MarginOptions = new MarginOptions
            {
                Top = options.MarginTop, Bottom = options.MarginBottom, Left = options.MarginLeft, Right = options.MarginRight,
            },
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _browserLock.WaitAsync();
        try
        {
            if (_disposed) return;
            _disposed = true;
            if (_browser is not null) await CloseBrowserAsync(_browser);
            _browser = null;
        }
        finally
        {
            _browserLock.Release();
        }
    }
}
