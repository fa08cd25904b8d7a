using System.Net;
using System.Text.Json.Nodes;
using ESign.Hub.Tests.Infrastructure;

namespace ESign.Hub.Tests.Generation;

/// <summary>html templates through the API: versions, previews, generation with text tags, and sending in one call.</summary>
public abstract class GenerationApiTests(HubFactory hub)
{
    private const string Contract = """
        <html><body style="font-family: 'Liberation Sans', sans-serif">
        <h1>Service agreement</h1>
        <p>Between {{ provider.name }} and {{ client.name }}.</p>
        <table>{{ for item in items }}<tr><td>{{ item.description }}</td><td>{{ money item.amount currency }}</td></tr>{{ end }}</table>
        {{ if discount > 0 }}<p>Discount: {{ discount }} %</p>{{ end }}
        <p style="margin-top: 60px">Client: [sig|req|client|Client signature]</p>
        <p style="margin-top: 40px">Provider: [sig|req|provider]</p>
        </body></html>
        """;

    private static object SampleData(string clientName = "Globex Ltd") => new
    {
        provider = new { name = "Acme Corp" },
        client = new { name = clientName },
        items = new[] { new { description = "Onboarding", amount = 1200.5 }, new { description = "Support", amount = 300.0 } },
        currency = "EUR",
        discount = 5,
    };

    private async Task<(HubClient Account, JsonNode Template)> CreateTemplateAsync()
    {
        var account = await hub.NewAccountAsync();
        var template = await (await account.Http.PostJsonAsync("/v1/templates", new
        {
            name = "Service agreement", kind = "html", content = Contract, roles = new[] { "client", "provider" }, sample_data = SampleData(),
        })).ExpectAsync(HttpStatusCode.Created);
        return (account, template);
    }

    [Fact]
    public async Task Html_template_is_versioned_and_a_syntax_error_names_line_and_column()
    {
        var (account, template) = await CreateTemplateAsync();
        Assert.Equal("html", (string)template["kind"]!);
        Assert.Equal(1, (int)template["version"]!);

        var broken = await (await account.Http.PostJsonAsync("/v1/templates", new
        {
            name = "Broken", kind = "html", content = "<p>ok</p>\n<p>{{ for x in items }} no end</p>", roles = new[] { "client" },
        })).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Matches(@"Line \d+, column \d+", (string)broken["errors"]!["content"]![0]!);

        var updated = await (await account.Http.PutAsync($"/v1/templates/{template["id"]}", System.Net.Http.Json.JsonContent.Create(new { content = Contract.Replace("Service agreement", "Master services agreement") })))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, (int)updated["version"]!);
        Assert.Contains("Master services agreement", (string)updated["content"]!);
    }

    [Fact]
    public async Task Preview_returns_the_pdf_and_a_page_image()
    {
        var (account, template) = await CreateTemplateAsync();
        var pdf = await account.Http.PostJsonAsync($"/v1/templates/{template["id"]}/preview", new { data = SampleData("Initech") });
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        var text = await PdfTools.Text(await pdf.Content.ReadAsByteArrayAsync());
        Assert.Contains("Initech", text);

        var png = await account.Http.PostJsonAsync($"/v1/templates/{template["id"]}/preview?format=png&page=1", new { });
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0x89, (await png.Content.ReadAsByteArrayAsync())[0]);
    }

    [Fact]
    public async Task Missing_merge_data_is_a_422_naming_it_and_hostile_data_stays_text()
    {
        var (account, template) = await CreateTemplateAsync();
        var missing = await (await account.Http.PostJsonAsync("/v1/documents/generate", new
        {
            template_id = template["id"], data = new { provider = new { name = "Acme" }, client = new { name = "X" }, currency = "EUR", discount = 0 },
        })).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("items", (string)missing["errors"]!["data"]![0]!);

        var hostile = await (await account.Http.PostJsonAsync("/v1/documents/generate", new
        {
            template_id = template["id"], data = SampleData("<script>alert(1)</script><img src=\"http://127.0.0.1:9/x\">"),
        })).ExpectAsync(HttpStatusCode.Created);
        var pdf = await (await account.Http.GetAsync($"/v1/documents/{hostile["document"]!["id"]}/download")).Content.ReadAsByteArrayAsync();
        Assert.Contains("<script>alert(1)</script>", await PdfTools.Text(pdf));
    }

    [Fact]
    public async Task Generated_document_carries_its_text_tags_as_fields_and_sends_in_one_call()
    {
        var (account, template) = await CreateTemplateAsync();
        var generated = await (await account.Http.PostJsonAsync("/v1/documents/generate", new { template_id = template["id"], data = SampleData() }))
            .ExpectAsync(HttpStatusCode.Created);
        var fields = generated["fields"]!.AsArray();
        Assert.Equal(2, fields.Count);
        Assert.Contains(fields, f => (string)f!["signer"]! == "client" && (string)f["type"]! == "signature" && (string?)f["label"] == "Client signature");
        // Where the tags were printed: the client's line comes before the provider's, inside the page's margins.
        var client = fields.Single(f => (string)f!["signer"]! == "client")!;
        var provider = fields.Single(f => (string)f!["signer"]! == "provider")!;
        Assert.True((double)client["y"]! < (double)provider["y"]!);
        Assert.InRange((double)client["x"]!, 30, 300);
        Assert.InRange((double)client["y"]!, 60, 800);
        // The tags became fields and are gone from the PDF: not in its text, not found again by reading it.
        var generatedPdf = await (await account.Http.GetAsync($"/v1/documents/{generated["document"]!["id"]}/download")).Content.ReadAsByteArrayAsync();
        var generatedText = await PdfTools.Text(generatedPdf);
        Assert.Contains("Provider:", generatedText);
        Assert.DoesNotContain("[sig|", generatedText);
        Assert.DoesNotContain("|req|", generatedText);

        // The stored document keeps its measured tags: sending it with use_text_tags places the same fields.
        var resent = await account.Http.CreateSignatureRequestAsync(new
        {
            document_id = generated["document"]!["id"],
            title = "Resent",
            use_text_tags = true,
            signers = new object[]
            {
                new { role = "client", name = "Cleo Client", email = "cleo@client.example" },
                new { role = "provider", name = "Pat Provider", email = "pat@provider.example" },
            },
        });
        var resentFields = resent["fields"]!.AsArray();
        Assert.Equal(2, resentFields.Count);
        var resentClient = resentFields.Single(f => (string?)f!["label"] == "Client signature")!;
        Assert.Equal((double)client["x"]!, (double)resentClient["x"]!, 2);
        Assert.Equal((double)client["y"]!, (double)resentClient["y"]!, 2);

        var request = await account.Http.CreateSignatureRequestAsync(new
        {
            template_id = template["id"],
            merge_data = SampleData("Umbrella plc"),
            signing_order = "sequential",
            signers = new object[]
            {
                new { role = "client", name = "Cleo Client", email = "cleo@client.example", order = 1 },
                new { role = "provider", name = "Pat Provider", email = "pat@provider.example", order = 2 },
            },
        });
        var placed = request["fields"]!.AsArray();
        Assert.Equal(2, placed.Count);
        Assert.Equal((string)request["signers"]![0]!["id"]!, (string)placed.Single(f => (string?)f!["label"] == "Client signature")!["signer_id"]!);
        var document = await (await account.Http.GetAsync($"/v1/documents/{request["document_id"]}/download")).Content.ReadAsByteArrayAsync();
        Assert.Contains("Umbrella plc", await PdfTools.Text(document));

        // Signed by both: the sealed contract holds the signatures where the tags were, and no tag text.
        foreach (var signer in request["signers"]!.AsArray())
            await SigningClient.FromUrl(hub, (string)signer!["signing_url"]!).ConsentAndSignAsync();
        var done = await (await account.Http.GetAsync($"/v1/signature-requests/{request["id"]}")).ExpectAsync(HttpStatusCode.OK);
        var sealedPdf = await (await account.Http.GetAsync($"/v1/documents/{done["signed_document_id"]}/download")).Content.ReadAsByteArrayAsync();
        var sealedText = await PdfTools.Text(sealedPdf);
        Assert.Contains("Umbrella plc", sealedText);
        Assert.DoesNotContain("[sig|", sealedText);
        Assert.DoesNotContain("|req|", sealedText);

        var noData = await (await account.Http.PostJsonAsync("/v1/signature-requests", new
        {
            template_id = template["id"],
            signers = new object[] { new { role = "client", name = "C", email = "c@client.example" }, new { role = "provider", name = "P", email = "p@provider.example" } },
        })).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(noData["errors"]!["merge_data"]);
    }
}

public sealed class SqliteGenerationApiTests(SqliteHub hub) : GenerationApiTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresGenerationApiTests(PostgresHub hub) : GenerationApiTests(hub), IClassFixture<PostgresHub>;
