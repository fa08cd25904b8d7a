using System.Net;
using System.Text.Json.Nodes;
using ESign.Hub.Samples;
using ESign.Hub.Tests.Infrastructure;

namespace ESign.Hub.Tests.Signing;

/// <summary>A signer's path through the signing endpoints, as the signing page drives it.</summary>
public abstract class SigningFlowTests(HubFactory hub)
{
    private static string Unique(string local) => $"{local}.{Guid.NewGuid():N}@example.com";

    private async Task<(HubClient Account, JsonNode Request, SigningClient First, SigningClient Second)> SendAsync(Action<Dictionary<string, object?>>? change = null)
    {
        var account = await hub.NewAccountAsync();
        var body = HttpExtensions.SignatureRequestBody(await account.Http.UploadPdfAsync());
        body["signers"] = new object[]
        {
            new { name = "Ann Lee", email = Unique("ann") },
            new { name = "Bo Chan", email = Unique("bo") },
        };
        body["fields"] = new object[]
        {
            new { type = "signature", signer = 0, page = 1, x = 72, y = 600, width = 180, height = 36 },
            new { type = "text", signer = 0, page = 1, x = 72, y = 660, width = 180, height = 16, label = "PO number" },
            new { type = "date_signed", signer = 0, page = 1, x = 300, y = 600, width = 100, height = 16 },
            new { type = "signature", signer = 1, page = 2, x = 320, y = 600, width = 180, height = 36 },
            new { type = "checkbox", signer = 1, page = 2, x = 320, y = 660, width = 14, height = 14, label = "I accept the terms", required = true },
        };
        change?.Invoke(body);
        var request = await account.Http.CreateSignatureRequestAsync(body);
        var signers = request["signers"]!.AsArray();
        return (account, request, SigningClient.FromUrl(hub, (string)signers[0]!["signing_url"]!), SigningClient.FromUrl(hub, (string)signers[1]!["signing_url"]!));
    }

    [Fact]
    public async Task Two_signers_sign_in_sequence_and_the_request_completes_with_a_signed_document()
    {
        var (account, request, ann, bo) = await SendAsync();
        var id = (string)request["id"]!;
        var (annEmail, boEmail) = ((string)request["signers"]![0]!["email"]!, (string)request["signers"]![1]!["email"]!);

        // Only Ann is invited; Bo waits and sees for whom.
        Assert.Equal(["invitation"], (await hub.OutboxAsync(annEmail)).Select(e => e.Kind));
        Assert.Empty(await hub.OutboxAsync(boEmail));
        var waiting = await bo.ReadyStateAsync();
        Assert.Equal("waiting", (string)waiting["status"]!);
        Assert.Equal(["Ann Lee"], waiting["waiting_for"]!.AsArray().Select(n => (string)n!));
        Assert.Null(waiting["document"]);

        var state = await ann.ReadyStateAsync();
        Assert.Equal("ready", (string)state["status"]!);
        Assert.False((bool)state["signer"]!["consented"]!);
        Assert.Contains("electronic", (string)state["consent_text"]!);
        Assert.Equal(2, state["document"]!["pages"]!.AsArray().Count);
        Assert.Equal(3, state["fields"]!.AsArray().Count);
        var signed = await ann.ConsentAndSignAsync();
        Assert.Equal("in_progress", (string)signed["request_status"]!);

        var yourTurn = Assert.Single(await hub.OutboxAsync(boEmail));
        Assert.Equal("your_turn", yourTurn.Kind);
        Assert.Contains($"/sign/{bo.Token}", yourTurn.TextBody);

        var last = await bo.ConsentAndSignAsync();
        Assert.Equal("completed", (string)last["request_status"]!);
        Assert.NotNull(last["signed_pdf_url"]);

        var done = await (await account.Http.GetAsync($"/v1/signature-requests/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("completed", (string)done["status"]!);
        Assert.All(done["signers"]!.AsArray(), s => Assert.Equal("signed", (string)s!["status"]!));
        Assert.Equal(["sent", "viewed", "signed", "viewed", "signed", "completed"], done["events"]!.AsArray().Select(e => (string)e!["type"]!));
        var signedEvent = done["events"]!.AsArray().First(e => (string)e!["type"]! == "signed")!;
        Assert.Equal("SignerBrowser/1.0", (string)signedEvent["user_agent"]!);
        var fields = done["fields"]!.AsArray();
        Assert.Equal("ACME-42", (string)fields.Single(f => (string?)f!["label"] == "PO number")!["value"]!);
        Assert.Equal("true", (string)fields.Single(f => (string)f!["type"]! == "checkbox")!["value"]!);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", (string)fields.Single(f => (string)f!["type"]! == "date_signed")!["value"]!);

        var signedId = (string)done["signed_document_id"]!;
        var download = await account.Http.GetAsync($"/v1/documents/{signedId}/download");
        Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
        var signedPdf = await download.Content.ReadAsByteArrayAsync();
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(signedPdf)), (string)done["signed_document_sha256"]!);
        Assert.Contains("Signature is Valid", (await PdfTools.PdfSig(signedPdf)).Output);
        var viaLink = await ann.GetAsync("/signed.pdf");
        Assert.Equal(HttpStatusCode.OK, viaLink.StatusCode);

        // Everyone hears about it; the used links now say so and offer the signed PDF.
        Assert.Equal("completed", (await hub.OutboxAsync(annEmail)).Last().Kind);
        Assert.Equal("completed", (await hub.OutboxAsync(boEmail)).Last().Kind);
        var gone = await (await ann.StateAsync()).ExpectProblemAsync(HttpStatusCode.Gone);
        Assert.Equal("completed", (string)gone["reason"]!);
        Assert.EndsWith("/signed.pdf", (string)gone["signed_pdf_url"]!);
    }

    [Fact]
    public async Task Signing_needs_consent_the_signature_and_every_required_field()
    {
        var (_, _, ann, _) = await SendAsync();
        var state = await ann.ReadyStateAsync();
        var textField = (string)state["fields"]!.AsArray().Single(f => (string)f!["type"]! == "text")!["id"]!;

        var beforeConsent = await (await ann.SignAsync(new { signature = new { method = "drawn", image_png_base64 = Convert.ToBase64String(TestPngs.Signature()) } }))
            .ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(beforeConsent["errors"]!["consent"]);

        await (await ann.ConsentAsync()).ExpectAsync(HttpStatusCode.NoContent);
        var incomplete = await (await ann.SignAsync(new { fields = new Dictionary<string, string>() })).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(incomplete["errors"]!["signature"]);
        Assert.Contains("PO number", (string)incomplete["errors"]![$"fields.{textField}"]![0]!);

        var notPng = await (await ann.SignAsync(new
        {
            signature = new { method = "drawn", image_png_base64 = Convert.ToBase64String("GIF89a not a png"u8.ToArray()) },
            fields = new Dictionary<string, string> { [textField] = "x", ["fld_someone_else"] = "y" },
        })).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("PNG", (string)notPng["errors"]!["signature.image_png_base64"]![0]!);
        Assert.NotNull(notPng["errors"]!["fields.fld_someone_else"]);

        // Nothing was recorded by the failed attempts.
        Assert.Equal("ready", (string)(await ann.ReadyStateAsync())["status"]!);
    }

    [Fact]
    public async Task A_waiting_signer_cannot_sign_before_their_turn()
    {
        var (_, _, _, bo) = await SendAsync();
        await (await bo.ConsentAsync()).ExpectAsync(HttpStatusCode.NoContent);
        var problem = await (await bo.SignAsync(new { })).ExpectProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("Ann Lee", (string)problem["detail"]!);
        await (await bo.GetAsync("/pages/1.png")).ExpectProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Declining_ends_the_request_and_tells_the_other_signers()
    {
        var (account, request, ann, bo) = await SendAsync(body => body["signing_order"] = "parallel");
        await ann.ReadyStateAsync();

        await (await bo.DeclineAsync("")).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        var declined = await (await bo.DeclineAsync("The price on page 2 is wrong.")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("declined", (string)declined["status"]!);

        var fetched = await (await account.Http.GetAsync($"/v1/signature-requests/{request["id"]}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("declined", (string)fetched["status"]!);
        Assert.Equal("declined", (string)fetched["signers"]![1]!["status"]!);
        Assert.Contains(fetched["events"]!.AsArray(), e => (string)e!["type"]! == "declined" && (string)e["signer_id"]! == (string)fetched["signers"]![1]!["id"]!);

        var notice = (await hub.OutboxAsync((string)request["signers"]![0]!["email"]!)).Last();
        Assert.Equal("declined", notice.Kind);
        Assert.Contains("The price on page 2 is wrong.", notice.TextBody);
        var annGone = await (await ann.StateAsync()).ExpectProblemAsync(HttpStatusCode.Gone);
        Assert.Equal("declined", (string)annGone["reason"]!);
        await (await ann.SignAsync(new { })).ExpectProblemAsync(HttpStatusCode.Gone);
    }

    [Fact]
    public async Task Canceled_or_unknown_links_answer_410_as_json_and_a_page_for_browsers()
    {
        var (account, request, ann, _) = await SendAsync();
        await (await account.Http.DeleteAsync($"/v1/signature-requests/{request["id"]}")).ExpectAsync(HttpStatusCode.OK);

        var gone = await (await ann.StateAsync()).ExpectProblemAsync(HttpStatusCode.Gone);
        Assert.Equal("canceled", (string)gone["reason"]!);
        var page = await hub.Anonymous().GetAsync($"/sign/{ann.Token}");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<html", await page.Content.ReadAsStringAsync());

        var unknown = await (await new SigningClient(hub.Anonymous(), "x" + new string('a', 42)).StateAsync()).ExpectProblemAsync(HttpStatusCode.Gone);
        Assert.Equal("invalid", (string)unknown["reason"]!);
    }

    [Fact]
    public async Task Access_code_is_checked_before_the_document_and_locks_after_five_misses()
    {
        var (_, _, ann, bo) = await SendAsync(body =>
        {
            body["signing_order"] = "parallel";
            body["signers"] = new object[]
            {
                new { name = "Ann Lee", email = Unique("ann"), access_code = "4711" },
                new { name = "Bo Chan", email = Unique("bo"), access_code = "0815" },
            };
        });

        var state = await ann.ReadyStateAsync();
        Assert.Equal("access_code_required", (string)state["status"]!);
        Assert.Null(state["document"]);
        await (await ann.GetAsync("/pages/1.png")).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await (await ann.ConsentAsync()).ExpectProblemAsync(HttpStatusCode.Forbidden);

        await (await ann.AccessCodeAsync("1234")).ExpectProblemAsync(HttpStatusCode.Unauthorized);
        var session = await (await ann.AccessCodeAsync("4711")).ExpectAsync(HttpStatusCode.OK);
        ann.Use(((string)session["session_url"]!).Split('/')[^1]);
        Assert.Equal("ready", (string)(await ann.ReadyStateAsync())["status"]!);
        await ann.ConsentAndSignAsync();

        for (var i = 0; i < 5; i++) await (await bo.AccessCodeAsync("9999")).ExpectProblemAsync(HttpStatusCode.Unauthorized);
        await (await bo.AccessCodeAsync("0815")).ExpectProblemAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Embedded_url_is_single_use_and_opens_a_signing_session()
    {
        var (account, request, _, _) = await SendAsync(body => body["signing_order"] = "parallel");
        var signerId = (string)request["signers"]![0]!["id"]!;

        var embedded = await (await account.Http.PostJsonAsync($"/v1/signature-requests/{request["id"]}/signers/{signerId}/embedded-url", new { }))
            .ExpectAsync(HttpStatusCode.OK);
        var url = new Uri((string)embedded["embed_url"]!);
        Assert.InRange(DateTime.Parse((string)embedded["expires_at"]!).ToUniversalTime() - DateTime.UtcNow, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5.1));

        var browser = hub.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var opened = await browser.GetAsync(url.PathAndQuery);
        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        var session = new SigningClient(hub.Anonymous(), opened.Headers.Location!.OriginalString.Split('/')[^1]);
        Assert.Equal("ready", (string)(await session.ReadyStateAsync())["status"]!);
        await session.ConsentAndSignAsync();

        var again = await browser.GetAsync(url.PathAndQuery);
        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
        await (await account.Http.PostJsonAsync($"/v1/signature-requests/{request["id"]}/signers/{signerId}/embedded-url", new { }))
            .ExpectProblemAsync(HttpStatusCode.Conflict);
        var stranger = await hub.NewAccountAsync();
        await (await stranger.Http.PostJsonAsync($"/v1/signature-requests/{request["id"]}/signers/{signerId}/embedded-url", new { }))
            .ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Signing_page_shows_page_images_and_may_only_be_framed_by_allowed_sites()
    {
        var (_, _, ann, _) = await SendAsync();
        var image = await ann.GetAsync("/pages/1.png");
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        var bytes = await image.Content.ReadAsByteArrayAsync();
        Assert.Equal(0x89, bytes[0]);
        await (await ann.GetAsync("/pages/9.png")).ExpectProblemAsync(HttpStatusCode.NotFound);

        var page = await hub.Anonymous().GetAsync($"/sign/{ann.Token}");
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'self'", csp);
    }

    [Fact]
    public async Task Dev_outbox_shows_the_invitation_with_its_link()
    {
        var (_, request, ann, _) = await SendAsync();
        var list = await (await hub.Anonymous().GetAsync("/dev/outbox")).Content.ReadAsStringAsync();
        var invitation = (await hub.OutboxAsync((string)request["signers"]![0]!["email"]!)).Single();
        Assert.Contains($"/dev/outbox/{invitation.Id}", list);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(invitation.Subject), list);
        var message = await (await hub.Anonymous().GetAsync($"/dev/outbox/{invitation.Id}")).Content.ReadAsStringAsync();
        Assert.Contains($"/sign/{ann.Token}", message);
    }

    [Fact]
    public async Task Text_tags_of_an_uploaded_pdf_are_not_in_the_sealed_copy_and_the_rest_of_the_line_stays_put()
    {
        var account = await hub.NewAccountAsync();
        var pdf = TestPdfs.Build([new TestPage(612, 792, [
            new TestText(72, 100, "Agreement between Ann and Bo."),
            // The tag in the middle of one show operator: what follows it must not move.
            new TestText(72, 500, "Ann: [sig|req|signer1|Ann signs] thanks"),
            new TestText(72, 600, "[sig|req|signer2]"),
        ])]);
        var body = HttpExtensions.SignatureRequestBody(await account.Http.UploadPdfAsync(pdf), order: "parallel");
        body.Remove("fields");
        body["use_text_tags"] = true;
        var request = await account.Http.CreateSignatureRequestAsync(body);
        Assert.Equal(2, request["fields"]!.AsArray().Count);

        foreach (var signer in request["signers"]!.AsArray())
            await SigningClient.FromUrl(hub, (string)signer!["signing_url"]!).ConsentAndSignAsync();
        var done = await (await account.Http.GetAsync($"/v1/signature-requests/{request["id"]}")).ExpectAsync(HttpStatusCode.OK);
        var sealedPdf = await (await account.Http.GetAsync($"/v1/documents/{done["signed_document_id"]}/download")).Content.ReadAsByteArrayAsync();

        var text = await PdfTools.Text(sealedPdf, page: 1);
        Assert.DoesNotContain("[sig|", text);
        Assert.DoesNotContain("|req|", text);
        Assert.Contains("Agreement between Ann and Bo.", text);
        Assert.Contains("Ann:", text);
        Assert.Contains("thanks", text);
        Assert.Contains("Signature is Valid", (await PdfTools.PdfSig(sealedPdf)).Output);
        static UglyToad.PdfPig.Content.Word Thanks(byte[] bytes)
        {
            using var document = UglyToad.PdfPig.PdfDocument.Open(bytes);
            return document.GetPage(1).GetWords().Single(w => w.Text == "thanks");
        }
        var before = Thanks(pdf).BoundingBox;
        var after = Thanks(sealedPdf).BoundingBox;
        Assert.Equal(before.Left, after.Left, 0.5);
        Assert.Equal(before.Bottom, after.Bottom, 0.5);
    }

    [Fact]
    public async Task Text_tags_of_an_uploaded_chromium_pdf_with_embedded_fonts_are_not_in_the_sealed_copy()
    {
        var account = await hub.NewAccountAsync();
        // A contract printed by Chromium with its tags as (white) text, as generated documents were made before.
        byte[] pdf;
        await using (var renderer = Generation.ChromiumFixture.NewRenderer())
        {
            var html = new ESign.Hub.Generation.TemplateRenderer().Render(ESign.Hub.Samples.ContractSample.Template,
                ESign.Hub.Samples.ContractSample.Data(), new ESign.Hub.Generation.RenderOptions(), CancellationToken.None);
            pdf = await renderer.RenderAsync(html.Replace("[sig|", "<span style='color:#fff'>[sig|").Replace("signer1]", "signer1]</span>"),
                new ESign.Hub.Generation.RenderOptions(), CancellationToken.None);
        }
        Assert.Contains("[sig|req|signer1]", await PdfTools.Text(pdf));
        var body = HttpExtensions.SignatureRequestBody(await account.Http.UploadPdfAsync(pdf), order: "parallel");
        body.Remove("fields");
        body["use_text_tags"] = true;
        var request = await account.Http.CreateSignatureRequestAsync(body);
        Assert.Equal(4, request["fields"]!.AsArray().Count);

        foreach (var signer in request["signers"]!.AsArray())
            await SigningClient.FromUrl(hub, (string)signer!["signing_url"]!).ConsentAndSignAsync();
        var done = await (await account.Http.GetAsync($"/v1/signature-requests/{request["id"]}")).ExpectAsync(HttpStatusCode.OK);
        var sealedPdf = await (await account.Http.GetAsync($"/v1/documents/{done["signed_document_id"]}/download")).Content.ReadAsByteArrayAsync();

        var text = await PdfTools.Text(sealedPdf);
        Assert.DoesNotContain("|req|", text);
        Assert.Contains("Signatures", text);
        Assert.Contains("Date:", text);
        Assert.Contains("ACME & Co", text);
    }
}

public sealed class SqliteSigningFlowTests(SqliteHub hub) : SigningFlowTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresSigningFlowTests(PostgresHub hub) : SigningFlowTests(hub), IClassFixture<PostgresHub>;
