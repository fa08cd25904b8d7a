using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using ESign.Hub.Tests.Infrastructure;
using Microsoft.Playwright;

namespace ESign.Hub.Tests.Browser;

/// <summary>
/// Where a signer sees each field box: over its place on the page image, at desktop and phone sizes, under the page's
/// strict Content-Security-Policy (which blocks inline style attributes). Screenshots land in the test output's
/// <c>screenshots</c> folder for a person to look at.
/// </summary>
public sealed class SigningPageLayoutBrowserTests(BrowserHub hub, ChromiumBrowser chromium) : IClassFixture<BrowserHub>, IClassFixture<ChromiumBrowser>
{
    private static readonly string ScreenshotDirectory = Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <summary>Points on the page; what the fields are placed on, drawn as text so a screenshot shows the line.</summary>
    private static readonly TestText[] PageOneLines = [new(72, 72, "Page 1 - Service agreement"), new(72, 628, "Signature: ______________________")];

    // ---------------------------------------------------------------- field positions

    [Theory]
    [InlineData(1280, 900)]
    [InlineData(390, 844)]
    public async Task Fields_of_a_ten_page_upload_sit_over_their_place_on_each_page(int width, int height)
    {
        var account = await hub.NewAccountAsync();
        var pages = Enumerable.Range(1, 10).Select(n => n switch
        {
            1 => new TestPage(TestPdfs.LetterWidth, TestPdfs.LetterHeight, PageOneLines),
            2 => new TestPage(TestPdfs.LetterWidth, TestPdfs.LetterHeight, [new(72, 72, "Page 2"), new(72, 124, "PO number: ____________________")]),
            // The last page is A4, so the page's own size (not the first page's) must place its fields.
            10 => new TestPage(595, 842, [new(72, 72, "Page 10"), new(72, 702, "Date: ______________"), new(380, 702, "I agree: [ ]")]),
            _ => new TestPage(TestPdfs.LetterWidth, TestPdfs.LetterHeight, [new(72, 72, $"Page {n}")]),
        }).ToList();
        var documentId = await account.Http.UploadPdfAsync(TestPdfs.Build(pages));
        var request = await account.Http.CreateSignatureRequestAsync(new Dictionary<string, object?>
        {
            ["document_id"] = documentId,
            ["title"] = "Ten pages",
            ["signers"] = new object[] { new { name = "Ann Lee", email = $"ann.{Guid.NewGuid():N}@example.com" } },
            ["fields"] = new object[]
            {
                new { type = "signature", signer = 0, page = 1, x = 140, y = 612, width = 180, height = 40 },
                new { type = "text", signer = 0, page = 2, x = 150, y = 118, width = 200, height = 22, label = "PO number" },
                new { type = "date_signed", signer = 0, page = 10, x = 110, y = 698, width = 120, height = 20 },
                new { type = "checkbox", signer = 0, page = 10, x = 430, y = 700, width = 16, height = 16, required = false, label = "I agree" },
            },
        });

        await CheckFieldsAsync(account, request, width, height, $"upload-{width}x{height}");
    }

    [Theory]
    [InlineData(1280, 900)]
    [InlineData(390, 844)]
    public async Task Fields_of_a_generated_document_sit_over_their_place_on_each_page(int width, int height)
    {
        var account = await hub.NewAccountAsync();
        // Four pages: tags on the first, the second and the last. The tags place the fields; whether their text stays
        // visible in the PDF is not what this test is about.
        const string Html = """
            <html><body style="font-family: 'Liberation Sans', sans-serif; font-size: 12pt">
            <h1>Order {{ number }}</h1>
            <p>Customer signature: [sig|req|customer|Customer signature]</p>
            <div style="page-break-before: always"><h2>Details</h2><p>PO number: [text|req|customer|PO number]</p></div>
            <div style="page-break-before: always"><h2>Terms</h2><p>Nothing to fill in here.</p></div>
            <div style="page-break-before: always"><h2>Closing</h2><p style="margin-top: 200px">Date: [date|req|customer]</p>
            <p>I agree: [check|noreq|customer|I agree]</p></div>
            </body></html>
            """;
        var template = await (await account.Http.PostJsonAsync("/v1/templates", new
        {
            name = "Layout check", kind = "html", content = Html, roles = new[] { "customer" }, sample_data = new { number = "A-1" },
        })).ExpectAsync(HttpStatusCode.Created);
        var generated = await (await account.Http.PostJsonAsync("/v1/documents/generate", new { template_id = template["id"], data = new { number = "A-17" } }))
            .ExpectAsync(HttpStatusCode.Created);
        var tagged = generated["fields"]!.AsArray();
        Assert.Equal(4, (int)generated["document"]!["page_count"]!);
        Assert.Equal(new[] { 1, 2, 4, 4 }, tagged.Select(f => (int)f!["page"]!).Order());

        var request = await account.Http.CreateSignatureRequestAsync(new Dictionary<string, object?>
        {
            ["document_id"] = (string)generated["document"]!["id"]!,
            ["title"] = "Generated order",
            ["signers"] = new object[] { new { name = "Ann Lee", email = $"ann.{Guid.NewGuid():N}@example.com" } },
            ["fields"] = tagged.Select(f => new
            {
                type = (string)f!["type"]!, signer = 0, page = (int)f["page"]!, x = (double)f["x"]!, y = (double)f["y"]!,
                width = (double)f["width"]!, height = (double)f["height"]!, required = (bool)f["required"]!, label = (string?)f["label"],
            }).ToArray(),
        });

        await CheckFieldsAsync(account, request, width, height, $"generated-{width}x{height}");
    }

    [Fact]
    public async Task Embedded_signing_places_fields_over_their_place()
    {
        var account = await hub.NewAccountAsync();
        var request = await account.Http.CreateSignatureRequestAsync(new Dictionary<string, object?>
        {
            ["document_id"] = await account.Http.UploadPdfAsync(TestPdfs.Build([new TestPage(TestPdfs.LetterWidth, TestPdfs.LetterHeight, PageOneLines)])),
            ["title"] = "Embedded",
            ["signers"] = new object[] { new { name = "Ann Lee", email = $"ann.{Guid.NewGuid():N}@example.com" } },
            ["fields"] = new object[] { new { type = "signature", signer = 0, page = 1, x = 140, y = 612, width = 180, height = 40 } },
        });
        var embedded = await (await account.Http.PostAsync(
                $"/v1/signature-requests/{request["id"]}/signers/{request["signers"]![0]!["id"]}/embedded-url", null))
            .ExpectAsync(HttpStatusCode.OK);

        await CheckFieldsAsync(account, request, 1280, 900, "embedded-1280x900", (string)embedded["embed_url"]!);
    }

    /// <summary>
    /// Opens the signer's page, consents, and for every field checks that its box lies inside its page image at
    /// x/page width, y/page height, width/page width and height/page height (within 1 % of the image), that the box is
    /// what a click at that place hits, and that no Content-Security-Policy violation happened on the way.
    /// </summary>
    private async Task CheckFieldsAsync(HubClient account, JsonNode request, int width, int height, string name, string? url = null)
    {
        var document = await (await account.Http.GetAsync($"/v1/documents/{request["document_id"]}")).ExpectAsync(HttpStatusCode.OK);
        var pageSizes = document["pages"]!.AsArray();
        var fields = request["fields"]!.AsArray().Select(f => f!).ToList();
        Assert.NotEmpty(fields);

        var (page, violations) = await OpenAsync(url ?? (string)request["signers"]![0]!["signing_url"]!, width, height);
        try
        {
            await page.GetByRole(AriaRole.Checkbox, new() { Name = "I agree to use electronic records and signatures", Exact = false }).CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
            await Assertions.Expect(page.Locator(".field")).ToHaveCountAsync(fields.Count);
            await page.WaitForFunctionAsync("() => [...document.querySelectorAll('.page-img')].every(i => i.complete && i.naturalWidth > 0)");

            foreach (var field in fields)
            {
                var id = (string)field["id"]!;
                var type = (string)field["type"]!;
                var size = pageSizes[(int)field["page"]! - 1]!;
                double pageWidth = (double)size["width"]!, pageHeight = (double)size["height"]!;
                var box = page.Locator($"[data-field-id='{id}']");
                await box.ScrollIntoViewIfNeededAsync();
                var placed = await MeasureAsync(page, id);
                var where = $"{type} field on page {field["page"]} at {width}x{height}: {placed}";

                Assert.True(placed.InsideImage, $"The {where} lies outside its page image.");
                AssertFraction((double)field["x"]! / pageWidth, placed.Left, "left", where);
                AssertFraction((double)field["y"]! / pageHeight, placed.Top, "top", where);
                AssertFraction((double)field["width"]! / pageWidth, placed.Width, "width", where);
                AssertFraction((double)field["height"]! / pageHeight, placed.Height, "height", where);

                // A click where the field belongs (computed from the API's coordinates, not from the box) opens it.
                var image = placed.Image;
                var clickX = image.X + image.Width * ((double)field["x"]! + (double)field["width"]! / 2) / pageWidth;
                var clickY = image.Y + image.Height * ((double)field["y"]! + (double)field["height"]! / 2) / pageHeight;
                var hit = await page.EvaluateAsync<string?>("([x, y]) => document.elementFromPoint(x, y)?.closest('[data-field-id]')?.dataset.fieldId ?? null",
                    new[] { clickX, clickY });
                Assert.True(hit == id, $"A click at the {where} lands on '{hit}', not on the field.");
                await page.Mouse.ClickAsync((float)clickX, (float)clickY);
                switch (type)
                {
                    case "signature":
                        await Assertions.Expect(page.GetByLabel("Type your signature")).ToBeFocusedAsync();
                        await page.GetByLabel("Type your signature").FillAsync("Ann Lee");
                        await Assertions.Expect(box.Locator("img.sig-img")).ToBeVisibleAsync();
                        break;
                    case "text":
                        await Assertions.Expect(box.Locator("input")).ToBeFocusedAsync();
                        await page.Keyboard.TypeAsync("PO-7731");
                        break;
                    case "checkbox":
                        await Assertions.Expect(box.Locator("input[type=checkbox]")).ToBeCheckedAsync();
                        break;
                }
            }

            Directory.CreateDirectory(ScreenshotDirectory);
            var pagesWithFields = fields.Select(f => (int)f["page"]!).Distinct().Order();
            foreach (var number in pagesWithFields)
            {
                await page.Mouse.MoveAsync(0, 0); // no hover label over a box
                await page.Locator(".page").Nth(number - 1).ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDirectory, $"{name}-page{number}.png") });
            }
            await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDirectory, $"{name}-viewport.png") });

            Assert.Empty(await violations());
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private static void AssertFraction(double expected, double actual, string what, string where) =>
        Assert.True(Math.Abs(expected - actual) <= 0.01,
            string.Create(CultureInfo.InvariantCulture, $"The {where}: {what} is {actual:F4} of the page image, expected {expected:F4}."));

    /// <summary>The page image's box in the viewport, in CSS pixels.</summary>
    private sealed record ImageBox(double X, double Y, double Width, double Height);

    private sealed record Placement(double Left, double Top, double Width, double Height, bool InsideImage, ImageBox Image)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"left {Left:F4} top {Top:F4} width {Width:F4} height {Height:F4}");
    }

    /// <summary>The field's box as fractions of its page image, whether it lies inside the image, and the image's box.</summary>
    private static async Task<Placement> MeasureAsync(IPage page, string fieldId)
    {
        var m = await page.EvaluateAsync<double[]>("""
            id => {
              const field = document.querySelector(`[data-field-id="${id}"]`);
              const img = field.closest('.page').querySelector('.page-img');
              const f = field.getBoundingClientRect(), p = img.getBoundingClientRect();
              const inside = f.left >= p.left - 0.5 && f.top >= p.top - 0.5 && f.right <= p.right + 0.5 && f.bottom <= p.bottom + 0.5;
              return [(f.left - p.left) / p.width, (f.top - p.top) / p.height, f.width / p.width, f.height / p.height, inside ? 1 : 0,
                p.left, p.top, p.width, p.height];
            }
            """, fieldId);
        return new Placement(m[0], m[1], m[2], m[3], m[4] == 1, new ImageBox(m[5], m[6], m[7], m[8]));
    }

    // ---------------------------------------------------------------- Content-Security-Policy

    /// <summary>
    /// A page in a new browser context, with every Content-Security-Policy violation it reports collected: the DOM's
    /// securitypolicyviolation events and the console messages Chromium prints for them.
    /// </summary>
    private async Task<(IPage Page, Func<Task<IReadOnlyList<string>>> Violations)> OpenAsync(string url, int width = 1280, int height = 900)
    {
        var context = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height } });
        await context.AddInitScriptAsync("""
            window.__cspViolations = [];
            document.addEventListener('securitypolicyviolation', e =>
              window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}: ${e.sample}`));
            """);
        var page = await context.NewPageAsync();
        var console = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)) lock (console) console.Add(message.Text);
        };
        await page.GotoAsync(url);
        return (page, async () =>
        {
            var events = await page.EvaluateAsync<string[]>("() => window.__cspViolations");
            lock (console) return [.. events, .. console];
        });
    }

    [Fact]
    public async Task Every_page_the_hub_serves_has_a_strict_policy_and_breaks_no_rule_of_it()
    {
        var account = await hub.NewAccountAsync();
        var request = await account.Http.CreateSignatureRequestAsync(new Dictionary<string, object?>
        {
            ["document_id"] = await account.Http.UploadPdfAsync(),
            ["title"] = "Policy check",
            ["signers"] = new object[] { new { name = "Ann Lee", email = $"ann.{Guid.NewGuid():N}@example.com" } },
            ["fields"] = new object[] { new { type = "signature", signer = 0, page = 1, x = 72, y = 600, width = 180, height = 40 } },
        });
        var signingUrl = (string)request["signers"]![0]!["signing_url"]!;
        var invitation = (await hub.OutboxAsync((string)request["signers"]![0]!["email"]!)).First();
        var pages = new[]
        {
            signingUrl,
            $"{hub.BaseUrl}/sign/e/not-a-real-embedded-token", // a dead embedded link still shows the page, with the reason
            $"{hub.BaseUrl}/sign/not-a-real-token",
            $"{hub.BaseUrl}/dev/outbox",
            $"{hub.BaseUrl}/dev/outbox/{invitation.Id}",
        };

        using var http = new HttpClient();
        foreach (var url in pages)
        {
            using var response = await http.GetAsync(url);
            Assert.True(response.Headers.TryGetValues("Content-Security-Policy", out var values), $"{url} is served without a Content-Security-Policy.");
            var csp = values!.Single();
            Assert.DoesNotContain("unsafe-inline", csp);
            Assert.Matches(@"(^|;)\s*style-src [^;]*'self'", csp);
            Assert.Matches(@"(^|;)\s*script-src '(self|none)'\s*(;|$)", csp);

            var (page, violations) = await OpenAsync(url);
            try
            {
                await Assertions.Expect(page.Locator("h1").First).ToBeVisibleAsync();
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                Assert.Empty(await violations());
                // Styled by its stylesheet, not by the browser's defaults.
                Assert.StartsWith("system-ui", await page.EvaluateAsync<string>("() => getComputedStyle(document.body).fontFamily"));
            }
            finally
            {
                await page.Context.CloseAsync();
            }
        }

        // The email as the outbox shows it keeps its look (the button is blue) without any rule broken.
        var (mail, mailViolations) = await OpenAsync($"{hub.BaseUrl}/dev/outbox/{invitation.Id}");
        try
        {
            Directory.CreateDirectory(ScreenshotDirectory);
            await mail.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDirectory, "outbox-message.png") });
            var button = mail.Locator(".mail a").First;
            Assert.Equal("rgb(29, 78, 216)", await button.EvaluateAsync<string>("a => getComputedStyle(a).backgroundColor"));
            Assert.Empty(await mailViolations());

            // The detector itself: an inline style attribute set by script is blocked and reported.
            await mail.EvaluateAsync("() => document.body.setAttribute('style', 'color: red')");
            await mail.WaitForFunctionAsync("() => window.__cspViolations.length > 0");
            Assert.Contains(await mailViolations(), v => v.StartsWith("style-src", StringComparison.Ordinal));
        }
        finally
        {
            await mail.Context.CloseAsync();
        }
    }
}
