using System.Net;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using ESign.Hub.Tests.Infrastructure;
using Microsoft.Playwright;

namespace ESign.Hub.Tests.Browser;

/// <summary>People signing in a real Chromium against a real hub on a loopback port, the way they would by hand.</summary>
public sealed class SigningPageBrowserTests(BrowserHub hub, ChromiumBrowser chromium) : IClassFixture<BrowserHub>, IClassFixture<ChromiumBrowser>
{
    private async Task<(HubClient Account, JsonNode Request)> SendAsync(string order)
    {
        var account = await hub.NewAccountAsync();
        var request = await account.Http.CreateSignatureRequestAsync(new Dictionary<string, object?>
        {
            ["document_id"] = await account.Http.UploadPdfAsync(),
            ["title"] = "Service agreement",
            ["message"] = "Please sign by Friday.",
            ["signing_order"] = order,
            ["signers"] = new object[]
            {
                new { name = "Ann Lee", email = $"ann.{Guid.NewGuid():N}@example.com" },
                new { name = "Bo Chan", email = $"bo.{Guid.NewGuid():N}@example.com" },
            },
            ["fields"] = new object[]
            {
                new { type = "signature", signer = 0, page = 1, x = 72, y = 600, width = 180, height = 40 },
                new { type = "text", signer = 0, page = 1, x = 72, y = 660, width = 180, height = 18, label = "PO number" },
                new { type = "date_signed", signer = 0, page = 1, x = 300, y = 610, width = 100, height = 18 },
                new { type = "signature", signer = 1, page = 2, x = 320, y = 600, width = 180, height = 40 },
            },
        });
        return (account, request);
    }

    private async Task<IPage> OpenAsync(string signingUrl, int width = 1280, int height = 900)
    {
        var context = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height }, UserAgent = "BrowserTest/1.0" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(signingUrl);
        return page;
    }

    private static async Task ConsentAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "I agree to use electronic records and signatures", Exact = false }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
    }

    [Fact]
    public async Task Two_signers_sign_in_sequence_one_drawing_one_typing_and_the_request_completes()
    {
        var (account, request) = await SendAsync("sequential");
        var signers = request["signers"]!.AsArray();

        // Bo's turn has not come: he sees whom he waits for.
        var bo = await OpenAsync((string)signers[1]!["signing_url"]!);
        await Assertions.Expect(bo.GetByText("Ann Lee", new() { Exact = false }).First).ToBeVisibleAsync();
        await Assertions.Expect(bo.GetByRole(AriaRole.Button, new() { Name = "Sign", Exact = true })).ToHaveCountAsync(0);

        // Ann, on a desktop: consent, draw a signature with the mouse, fill the PO number, sign.
        var ann = await OpenAsync((string)signers[0]!["signing_url"]!);
        await Assertions.Expect(ann.GetByText("Service agreement").First).ToBeVisibleAsync();
        await ConsentAsync(ann);
        await ann.GetByRole(AriaRole.Radio, new() { Name = "Draw" }).First.CheckAsync();
        var canvas = ann.GetByLabel("Drawing area for your signature");
        await canvas.ScrollIntoViewIfNeededAsync();
        var box = (await canvas.BoundingBoxAsync())!;
        await ann.Mouse.MoveAsync(box.X + 20, box.Y + box.Height * 0.7f);
        await ann.Mouse.DownAsync();
        for (var i = 1; i <= 12; i++)
            await ann.Mouse.MoveAsync(box.X + 20 + i * (box.Width - 40) / 12, box.Y + box.Height * (i % 2 == 0 ? 0.3f : 0.7f), new() { Steps = 3 });
        await ann.Mouse.UpAsync();
        await ann.GetByLabel("PO number").FillAsync("PO-7731");
        await ann.GetByRole(AriaRole.Button, new() { Name = "Sign", Exact = true }).ClickAsync();
        await Assertions.Expect(ann.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex("^You signed") })).ToBeVisibleAsync();
        await Assertions.Expect(ann.GetByRole(AriaRole.Button, new() { Name = "Sign", Exact = true })).ToHaveCountAsync(0);

        // Bo, on a phone-width screen: consent, type a signature, sign.
        await bo.ReloadAsync();
        await bo.SetViewportSizeAsync(375, 812);
        await ConsentAsync(bo);
        await bo.GetByLabel("Type your signature").FillAsync("Bo Chan");
        await bo.GetByRole(AriaRole.Button, new() { Name = "Sign", Exact = true }).ClickAsync();
        await Assertions.Expect(bo.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex("^You signed") })).ToBeVisibleAsync();

        var done = await (await account.Http.GetAsync($"/v1/signature-requests/{request["id"]}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("completed", (string)done["status"]!);
        Assert.Equal("PO-7731", (string)done["fields"]!.AsArray().Single(f => (string?)f!["label"] == "PO number")!["value"]!);
        var signed = done["events"]!.AsArray().Where(e => (string)e!["type"]! == "signed").ToList();
        Assert.Equal(2, signed.Count);
        Assert.All(signed, e => Assert.Equal("BrowserTest/1.0", (string)e!["user_agent"]!));

        // The sealed PDF stands on its own: poppler and qpdf verify it without trusting us.
        var pdf = await (await account.Http.GetAsync($"/v1/documents/{done["signed_document_id"]}/download")).Content.ReadAsByteArrayAsync();
        var signature = await PdfTools.PdfSig(pdf);
        Assert.Contains("Signature is Valid", signature.Output);
        Assert.Contains("Total document signed", signature.Output);
        Assert.Equal(0, (await PdfTools.QpdfCheck(pdf)).ExitCode);
        var text = await PdfTools.Text(pdf);
        Assert.Contains("Audit certificate", text);
        Assert.Contains((string)signers[0]!["email"]!, text);
        Assert.Contains("PO-7731", text);
        Assert.Contains("TEST – not legally binding", text);
    }

    [Fact]
    public async Task A_signer_declines_with_a_reason()
    {
        var (account, request) = await SendAsync("parallel");
        var page = await OpenAsync((string)request["signers"]![1]!["signing_url"]!);
        await ConsentAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Decline", Exact = true }).First.ClickAsync();
        var dialog = page.Locator("dialog[open]");
        await dialog.GetByLabel("Reason for declining").FillAsync("Wrong delivery address on page 1.");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Decline", Exact = true }).ClickAsync();
        // The final screen's heading, not the dialog's own wording ("…you declined and why", which a case-insensitive text
        // match would find while the request is still in flight), proves the decline was recorded.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex("^You declined") })).ToBeVisibleAsync();

        var fetched = await (await account.Http.GetAsync($"/v1/signature-requests/{request["id"]}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("declined", (string)fetched["status"]!);
        var notice = (await hub.OutboxAsync((string)request["signers"]![0]!["email"]!)).Last();
        Assert.Contains("Wrong delivery address on page 1.", notice.TextBody);
    }

    [Fact]
    public async Task A_canceled_link_shows_why_and_offers_no_way_to_sign()
    {
        var (account, request) = await SendAsync("parallel");
        await (await account.Http.DeleteAsync($"/v1/signature-requests/{request["id"]}")).ExpectAsync(HttpStatusCode.OK);
        var page = await OpenAsync((string)request["signers"]![0]!["signing_url"]!);
        await Assertions.Expect(page.GetByText("canceled", new() { Exact = false }).First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign", Exact = true })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Checkbox)).ToHaveCountAsync(0);
    }
}
