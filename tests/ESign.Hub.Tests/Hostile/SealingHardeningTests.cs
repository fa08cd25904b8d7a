using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ESign.Hub.Signing;
using ESign.Hub.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ESign.Hub.Tests.Hostile;

/// <summary>What a hostile original or signer can no longer do to sealing: keep active content under the seal, or make a request unsealable for ever.</summary>
public sealed class SealingHardeningTests(SqliteHub hub) : IClassFixture<SqliteHub>
{
    private static Dictionary<string, object?> OneSigner(string documentId) => new()
    {
        ["document_id"] = documentId,
        ["title"] = "Hardening",
        ["signers"] = new object[] { new { name = "Ann Lee", email = "ann@example.com" } },
        ["fields"] = new object[] { new { type = "signature", signer = 0, page = 1, x = 72, y = 600, width = 180, height = 36 } },
    };

    [Fact]
    public async Task Sealed_pdf_keeps_no_active_content_and_the_certificate_says_what_was_removed()
    {
        var account = await hub.NewAccountAsync();
        var request = await account.Http.CreateSignatureRequestAsync(OneSigner(await account.Http.UploadPdfAsync(HostilePdfs.ActiveContent())));
        var signed = await SigningClient.FromUrl(hub, (string)request["signers"]![0]!["signing_url"]!).ConsentAndSignAsync();
        Assert.Equal("completed", (string)signed["request_status"]!);

        var done = await (await account.Http.GetAsync($"/v1/signature-requests/{request["id"]}")).ExpectAsync(HttpStatusCode.OK);
        var pdf = await account.Http.GetByteArrayAsync($"/v1/documents/{done["signed_document_id"]}/download");
        // The sealed file is written uncompressed, so its objects can be read as text (qpdf's view agrees; see below).
        var text = Encoding.Latin1.GetString(pdf);
        foreach (var active in new[] { "/OpenAction", "/JavaScript", "/JS", "/Launch", "cmd.exe", "/EmbeddedFile", "payload.exe", "/AA", "file:///etc/passwd" })
            Assert.DoesNotContain(active, text, StringComparison.Ordinal);
        Assert.Contains("https://example.com/terms", text, StringComparison.Ordinal); // web links stay
        Assert.Equal(0, (await PdfTools.QpdfCheck(pdf)).ExitCode);
        Assert.Contains("Signature is Valid", (await PdfTools.PdfSig(pdf)).Output, StringComparison.Ordinal);

        var certificate = string.Join(' ', (await PdfTools.Text(pdf)).Split((char[])['\n', ' '], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Active content removed", certificate, StringComparison.Ordinal);
        Assert.Contains("JavaScript actions", certificate, StringComparison.Ordinal);
        Assert.Contains("launch actions", certificate, StringComparison.Ordinal);
        Assert.Contains("embedded files", certificate, StringComparison.Ordinal);
    }

    /// <summary>
    /// The sealer reads a tagged page's content with PDFsharp's content reader to take the tag out of the text. Content
    /// that reader refuses (a stray ')', which poppler and PdfPig read past) leaves the tag under its field, as a page whose
    /// glyphs do not line up does; the request still seals, where the reader's exception used to fail every attempt.
    /// </summary>
    [Theory]
    [InlineData("BT /F1 14 Tf 72 600 Td ([sig|req|signer1]) Tj ET\n", false)]
    [InlineData("BT /F1 14 Tf 72 600 Td ([sig|req|signer1]) Tj ET ) \n", true)]
    public async Task A_tagged_page_seals_and_loses_its_tag_text_when_pdfsharp_can_read_its_content(string content, bool readerRefuses)
    {
        var account = await hub.NewAccountAsync();
        var documentId = await account.Http.UploadPdfAsync(HostilePdfs.Page(content: content));
        var request = await account.Http.CreateSignatureRequestAsync(new Dictionary<string, object?>
        {
            ["document_id"] = documentId,
            ["title"] = "Tagged",
            ["signers"] = new object[] { new { name = "Ann Lee", email = "ann@example.com" } },
            ["use_text_tags"] = true,
        });
        Assert.Single(request["fields"]!.AsArray());
        var signed = await SigningClient.FromUrl(hub, (string)request["signers"]![0]!["signing_url"]!).ConsentAndSignAsync();
        Assert.Equal("completed", (string)signed["request_status"]!);

        var done = await (await account.Http.GetAsync($"/v1/signature-requests/{request["id"]}")).ExpectAsync(HttpStatusCode.OK);
        var pdf = await account.Http.GetByteArrayAsync($"/v1/documents/{done["signed_document_id"]}/download");
        Assert.Contains("Signature is Valid", (await PdfTools.PdfSig(pdf)).Output, StringComparison.Ordinal);
        var firstPage = (await PdfTools.Text(pdf)).Split('\f')[0];
        if (readerRefuses) Assert.Contains("[sig|req|signer1]", firstPage, StringComparison.Ordinal);
        else Assert.DoesNotContain("[sig|req|signer1]", firstPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signature_png_with_garbage_pixel_data_is_refused_when_submitted()
    {
        var account = await hub.NewAccountAsync();
        var request = await account.Http.CreateSignatureRequestAsync(OneSigner(await account.Http.UploadPdfAsync()));
        var signer = SigningClient.FromUrl(hub, (string)request["signers"]![0]!["signing_url"]!);
        await (await signer.ConsentAsync()).ExpectAsync(HttpStatusCode.NoContent);

        var response = await signer.SignAsync(new { signature = new { method = "drawn", image_png_base64 = Convert.ToBase64String(HostilePngs.GarbageIdat()) } });

        var problem = await response.ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("pixel data", problem.ToJsonString(), StringComparison.Ordinal);
        var state = await (await account.Http.GetAsync($"/v1/signature-requests/{request["id"]}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("sent", (string)state["signers"]![0]!["status"]!);
    }

    [Fact]
    public async Task Sealing_that_keeps_failing_backs_off_then_opens_an_incident_an_operator_retries()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var hub = new HubFactory(Database.Sqlite) { Clock = clock };
        await ((IAsyncLifetime)hub).InitializeAsync();
        var account = await hub.NewAccountAsync();
        var documentId = await account.Http.UploadPdfAsync();
        var request = await account.Http.CreateSignatureRequestAsync(OneSigner(documentId));
        var id = (string)request["id"]!;
        // The original's bytes go missing from the blob store: every sealing attempt fails until they are back.
        var blob = Path.Combine(hub.DataDirectory, "blobs", account.AccountId, documentId + ".pdf");
        File.Move(blob, blob + ".away");

        var signed = await SigningClient.FromUrl(hub, (string)request["signers"]![0]!["signing_url"]!).ConsentAndSignAsync();
        Assert.Equal("in_progress", (string)signed["request_status"]!);
        var scheduler = hub.Services.GetRequiredService<SigningScheduler>();

        // Attempt 1 was in the signer's request; attempts 2..6 come 1, 2, 4, 8 and 16 minutes apart, not sooner.
        foreach (var minutes in new[] { 1, 2, 4, 8, 16 })
        {
            clock.Advance(TimeSpan.FromMinutes(minutes) - TimeSpan.FromSeconds(5));
            Assert.Equal(0, await scheduler.RunDueAsync(CancellationToken.None));
            clock.Advance(TimeSpan.FromSeconds(5));
            await scheduler.RunDueAsync(CancellationToken.None);
        }
        var state = await (await account.Http.GetAsync($"/v1/signature-requests/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("in_progress", (string)state["status"]!);
        var incident = state["sealing_incident"]!;
        Assert.Equal(6, (int)incident["attempts"]!);
        Assert.Contains("missing from the blob store", (string)incident["error"]!, StringComparison.Ordinal);
        Assert.Contains(state["events"]!.AsArray(), e => (string)e!["type"]! == "sealing_failed");

        // Given up: the scheduler no longer tries.
        clock.Advance(TimeSpan.FromDays(1));
        await scheduler.RunDueAsync(CancellationToken.None);
        state = await (await account.Http.GetAsync($"/v1/signature-requests/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(6, (int)state["sealing_incident"]!["attempts"]!);

        // An operator fixes the cause and retries.
        File.Move(blob + ".away", blob);
        var retried = await (await account.Http.PostAsync($"/v1/signature-requests/{id}/retry-sealing", null)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("completed", (string)retried["status"]!);
        Assert.Null(retried["sealing_incident"]);
        await (await account.Http.PostAsync($"/v1/signature-requests/{id}/retry-sealing", null)).ExpectProblemAsync(HttpStatusCode.Conflict);
    }
}
