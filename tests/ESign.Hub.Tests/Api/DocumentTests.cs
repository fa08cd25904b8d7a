using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using ESign.Hub.Tests.Infrastructure;

namespace ESign.Hub.Tests.Api;

public abstract class DocumentTests(HubFactory hub)
{
    [Fact]
    public async Task Upload_multipart_returns_the_document_with_hash_and_pages()
    {
        var account = await hub.NewAccountAsync();
        var pdf = TestPdfs.Letter(3);

        var document = await (await account.Http.PostAsync("/v1/documents", HttpExtensions.PdfForm(pdf, "nda.pdf")))
            .ExpectAsync(HttpStatusCode.Created);

        Assert.StartsWith("doc_", (string)document["id"]!);
        Assert.Equal("nda.pdf", (string)document["name"]!);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(pdf)), (string)document["sha256"]!);
        Assert.Equal(3, (int)document["page_count"]!);
        Assert.Equal(pdf.Length, (long)document["size_bytes"]!);
        Assert.True((bool)document["test_mode"]!);
        Assert.Equal(612, (double)document["pages"]![0]!["width"]!);
        Assert.NotNull(document["created_at"]);
    }

    [Fact]
    public async Task Upload_json_base64_and_download_returns_the_same_bytes()
    {
        var account = await hub.NewAccountAsync();
        var pdf = TestPdfs.Letter();

        var document = await (await account.Http.PostJsonAsync("/v1/documents", new { name = "offer.pdf", content_base64 = Convert.ToBase64String(pdf) }))
            .ExpectAsync(HttpStatusCode.Created);
        var id = (string)document["id"]!;

        var fetched = await (await account.Http.GetAsync($"/v1/documents/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("offer.pdf", (string)fetched["name"]!);
        var download = await account.Http.GetAsync($"/v1/documents/{id}/download");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(pdf, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Upload_of_a_non_pdf_is_422_naming_the_problem()
    {
        var account = await hub.NewAccountAsync();
        var problem = await (await account.Http.PostAsync("/v1/documents", HttpExtensions.PdfForm("hello, not a pdf"u8.ToArray())))
            .ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("not a PDF", (string)problem["detail"]!);
    }

    [Fact]
    public async Task Upload_of_a_damaged_pdf_is_422()
    {
        var account = await hub.NewAccountAsync();
        var pdf = TestPdfs.Letter();
        var damaged = pdf[..(pdf.Length / 2)];
        var problem = await (await account.Http.PostAsync("/v1/documents", HttpExtensions.PdfForm(damaged)))
            .ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("damaged", (string)problem["detail"]!);
    }

    [Fact]
    public async Task Upload_of_an_encrypted_pdf_is_422()
    {
        var account = await hub.NewAccountAsync();
        var encrypted = Encrypt(TestPdfs.Letter());
        var problem = await (await account.Http.PostAsync("/v1/documents", HttpExtensions.PdfForm(encrypted)))
            .ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("encrypted", (string)problem["detail"]!);
    }

    [Fact]
    public async Task Upload_over_the_size_limit_is_413_for_multipart_and_json()
    {
        var account = await hub.NewAccountAsync();
        // The test hub allows 200,000 bytes.
        var big = TestPdfs.Build(Enumerable.Range(0, 1).Select(_ => new TestPage(612, 792,
            Enumerable.Range(0, 6000).Select(i => new TestText(10, 10 + i % 700, "padding text to grow the file")).ToList())).ToList());
        Assert.True(big.Length > 200_000);

        await (await account.Http.PostAsync("/v1/documents", HttpExtensions.PdfForm(big))).ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        await (await account.Http.PostJsonAsync("/v1/documents", new { name = "big.pdf", content_base64 = Convert.ToBase64String(big) }))
            .ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Upload_with_bad_base64_or_no_file_is_400()
    {
        var account = await hub.NewAccountAsync();
        await (await account.Http.PostJsonAsync("/v1/documents", new { name = "x.pdf", content_base64 = "%%%not base64" }))
            .ExpectProblemAsync(HttpStatusCode.BadRequest);
        using var empty = new MultipartFormDataContent { { new StringContent("x"), "name" } };
        await (await account.Http.PostAsync("/v1/documents", empty)).ExpectProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Another_accounts_document_is_404()
    {
        var owner = await hub.NewAccountAsync();
        var stranger = await hub.NewAccountAsync();
        var id = await owner.Http.UploadPdfAsync();

        await (await stranger.Http.GetAsync($"/v1/documents/{id}")).ExpectProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.Http.GetAsync($"/v1/documents/{id}/download")).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    /// <summary>A real encrypted PDF, made by qpdf (installed by the test command).</summary>
    private static byte[] Encrypt(byte[] pdf)
    {
        var dir = Directory.CreateTempSubdirectory("esign-qpdf");
        try
        {
            var input = Path.Combine(dir.FullName, "in.pdf");
            var output = Path.Combine(dir.FullName, "out.pdf");
            File.WriteAllBytes(input, pdf);
            using var qpdf = Process.Start(new ProcessStartInfo("qpdf", ["--encrypt", "user-pass", "owner-pass", "256", "--", input, output])
                { RedirectStandardError = true })!;
            qpdf.WaitForExit(30_000);
            Assert.True(qpdf.ExitCode == 0, "qpdf failed: " + qpdf.StandardError.ReadToEnd());
            return File.ReadAllBytes(output);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}

public sealed class SqliteDocumentTests(SqliteHub hub) : DocumentTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresDocumentTests(PostgresHub hub) : DocumentTests(hub), IClassFixture<PostgresHub>;
