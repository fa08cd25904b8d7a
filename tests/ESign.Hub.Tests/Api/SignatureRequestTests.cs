using System.Net;
using System.Text.Json.Nodes;
using ESign.Hub.Tests.Infrastructure;

namespace ESign.Hub.Tests.Api;

public abstract class SignatureRequestTests(HubFactory hub)
{
    [Fact]
    public async Task Sequential_request_sends_to_the_first_signer_and_lets_the_second_wait()
    {
        var account = await hub.NewAccountAsync();
        var documentId = await account.Http.UploadPdfAsync();

        var request = await account.Http.CreateSignatureRequestAsync(HttpExtensions.SignatureRequestBody(documentId));

        Assert.StartsWith("sr_", (string)request["id"]!);
        Assert.Equal("pending", (string)request["status"]!);
        Assert.Equal("Service agreement", (string)request["title"]!);
        Assert.True((bool)request["test_mode"]!);
        var signers = request["signers"]!.AsArray();
        Assert.Equal(["sent", "waiting"], signers.Select(s => (string)s!["status"]!));
        Assert.Equal([1, 2], signers.Select(s => (int)s!["order"]!));
        foreach (var signer in signers)
            Assert.Matches(@"^http://localhost/sign/[A-Za-z0-9_-]{43}$", (string)signer!["signing_url"]!);
        Assert.NotEqual((string)signers[0]!["signing_url"]!, (string)signers[1]!["signing_url"]!);
        Assert.Equal(3, request["fields"]!.AsArray().Count);
        Assert.Equal((string)signers[1]!["id"]!, (string)request["fields"]![2]!["signer_id"]!);
        Assert.Equal("sent", (string)request["events"]![0]!["type"]!);
        Assert.NotNull(request["expires_at"]);
        Assert.Equal("D-1", (string)request["metadata"]!["deal_id"]!);
    }

    [Fact]
    public async Task Mixed_order_sends_to_every_signer_sharing_the_lowest_order()
    {
        var account = await hub.NewAccountAsync();
        var body = HttpExtensions.SignatureRequestBody(await account.Http.UploadPdfAsync());
        body["signers"] = new object[]
        {
            new { name = "Ann Lee", email = "ann@example.com", order = 1 },
            new { name = "Bo Chan", email = "bo@example.com", order = 1 },
            new { name = "Cy Diaz", email = "cy@example.com", order = 2 },
        };

        var request = await account.Http.CreateSignatureRequestAsync(body);

        Assert.Equal(["sent", "sent", "waiting"], request["signers"]!.AsArray().Select(s => (string)s!["status"]!));
    }

    [Fact]
    public async Task Parallel_request_sends_to_everyone()
    {
        var account = await hub.NewAccountAsync();
        var request = await account.Http.CreateSignatureRequestAsync(HttpExtensions.SignatureRequestBody(await account.Http.UploadPdfAsync(), "parallel"));
        Assert.All(request["signers"]!.AsArray(), s => Assert.Equal("sent", (string)s!["status"]!));
    }

    [Fact]
    public async Task Fields_are_checked_against_the_real_pages_and_every_problem_is_listed()
    {
        var account = await hub.NewAccountAsync();
        var body = HttpExtensions.SignatureRequestBody(await account.Http.UploadPdfAsync());
        body["fields"] = new object[]
        {
            new { type = "signature", signer = 0, page = 1, x = 500, y = 600, width = 180, height = 36 }, // runs off the right edge
            new { type = "signature", signer = 0, page = 3, x = 72, y = 72, width = 100, height = 30 },   // the PDF has 2 pages
            new { type = "stamp", signer = 0, page = 1, x = 72, y = 72, width = 100, height = 30 },       // unknown type
            new { type = "text", signer = 5, page = 1, x = 72, y = 72, width = 100, height = 30 },        // no signer 5
            new { type = "text", signer = "witness", page = 1, x = 72, y = 72, width = 100, height = 30 }, // no such role
        };

        var problem = await (await account.Http.PostJsonAsync("/v1/signature-requests", body)).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);

        var errors = problem["errors"]!.AsObject();
        Assert.Contains("does not fit on page 1, which is 612×792", (string)errors["fields[0]"]![0]!);
        Assert.Contains("2 pages", (string)errors["fields[1].page"]![0]!);
        Assert.Contains("signature", (string)errors["fields[2].type"]![0]!);
        Assert.Contains("between 0 and 1", (string)errors["fields[3].signer"]![0]!);
        Assert.Contains("witness", (string)errors["fields[4].signer"]![0]!);
    }

    [Fact]
    public async Task Missing_document_bad_signers_and_bad_order_are_422()
    {
        var account = await hub.NewAccountAsync();
        var body = HttpExtensions.SignatureRequestBody("doc_doesnotexist");
        body["signing_order"] = "random";
        body["signers"] = new object[] { new { name = "", email = "not-an-email" } };
        body["expires_in_days"] = 0;

        var problem = await (await account.Http.PostJsonAsync("/v1/signature-requests", body)).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);

        var errors = problem["errors"]!.AsObject();
        Assert.Contains("doc_doesnotexist", (string)errors["document_id"]![0]!);
        Assert.NotNull(errors["signing_order"]);
        Assert.NotNull(errors["signers[0].name"]);
        Assert.Contains("not-an-email", (string)errors["signers[0].email"]![0]!);
        Assert.NotNull(errors["expires_in_days"]);
    }

    [Fact]
    public async Task Malformed_json_is_400_saying_where()
    {
        var account = await hub.NewAccountAsync();
        var problem = await (await account.Http.PostRawJsonAsync("/v1/signature-requests", "{\"title\": \"x\", \"signers\": [ {\"name\": 5}"))
            .ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("JSON", (string)problem["detail"]!);

        var typed = await (await account.Http.PostRawJsonAsync("/v1/signature-requests", "{\"title\": \"x\", \"expires_in_days\": \"soon\"}"))
            .ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("$.expires_in_days", (string)typed["detail"]!);
    }

    [Fact]
    public async Task Get_returns_signers_fields_and_timeline_and_another_account_gets_404()
    {
        var account = await hub.NewAccountAsync();
        var stranger = await hub.NewAccountAsync();
        var created = await account.Http.CreateSignatureRequestAsync(HttpExtensions.SignatureRequestBody(await account.Http.UploadPdfAsync()));
        var id = (string)created["id"]!;

        var request = await (await account.Http.GetAsync($"/v1/signature-requests/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(id, (string)request["id"]!);
        Assert.Equal(2, request["signers"]!.AsArray().Count);
        Assert.Null(request["signers"]![0]!["signing_url"]); // the link's secret is only shown at creation
        Assert.Equal(3, request["fields"]!.AsArray().Count);
        Assert.Equal("sent", (string)request["events"]![0]!["type"]!);

        await (await stranger.Http.GetAsync($"/v1/signature-requests/{id}")).ExpectProblemAsync(HttpStatusCode.NotFound);
        await (await stranger.Http.DeleteAsync($"/v1/signature-requests/{id}")).ExpectProblemAsync(HttpStatusCode.NotFound);
        var strangersList = await (await stranger.Http.GetAsync("/v1/signature-requests")).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(strangersList["data"]!.AsArray());
    }

    [Fact]
    public async Task Cancel_open_request_then_cancel_again_is_409()
    {
        var account = await hub.NewAccountAsync();
        var created = await account.Http.CreateSignatureRequestAsync(HttpExtensions.SignatureRequestBody(await account.Http.UploadPdfAsync()));
        var id = (string)created["id"]!;

        var canceled = await (await account.Http.DeleteAsync($"/v1/signature-requests/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("canceled", (string)canceled["status"]!);
        Assert.NotNull(canceled["canceled_at"]);
        Assert.Equal(["sent", "canceled"], canceled["events"]!.AsArray().Select(e => (string)e!["type"]!));

        var problem = await (await account.Http.DeleteAsync($"/v1/signature-requests/{id}")).ExpectProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("canceled", (string)problem["detail"]!);
        var fetched = await (await account.Http.GetAsync($"/v1/signature-requests/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("canceled", (string)fetched["status"]!);
    }

    [Fact]
    public async Task List_filters_by_status_metadata_and_time_and_pages_with_a_cursor()
    {
        var account = await hub.NewAccountAsync();
        var documentId = await account.Http.UploadPdfAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var body = HttpExtensions.SignatureRequestBody(documentId);
            body["metadata"] = new Dictionary<string, string> { ["deal_id"] = $"D-{i}", ["region"] = i % 2 == 0 ? "emea" : "apac" };
            ids.Add((string)(await account.Http.CreateSignatureRequestAsync(body))["id"]!);
        }
        await (await account.Http.DeleteAsync($"/v1/signature-requests/{ids[4]}")).ExpectAsync(HttpStatusCode.OK);

        // Newest first, two per page, following next_cursor to the end.
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await account.Http.GetAsync("/v1/signature-requests?limit=2" + (cursor is null ? "" : $"&starting_after={cursor}")))
                .ExpectAsync(HttpStatusCode.OK);
            seen.AddRange(page["data"]!.AsArray().Select(r => (string)r!["id"]!));
            cursor = (bool)page["has_more"]! ? (string)page["next_cursor"]! : null;
        } while (cursor is not null);
        Assert.Equal(Enumerable.Reverse(ids), seen);

        Assert.Equal([ids[4]], await IdsAsync(account, "status=canceled"));
        Assert.Equal([ids[3], ids[2], ids[1], ids[0]], await IdsAsync(account, "status=pending"));
        Assert.Equal([ids[2]], await IdsAsync(account, "metadata[deal_id]=D-2"));
        Assert.Equal([ids[3], ids[1]], await IdsAsync(account, "metadata[region]=apac"));
        Assert.Equal(5, (await IdsAsync(account, "metadata_key=region")).Count);
        Assert.Empty(await IdsAsync(account, "metadata_key=owner"));
        Assert.Empty(await IdsAsync(account, "created_before=2000-01-01T00:00:00Z"));
        Assert.Equal(5, (await IdsAsync(account, "created_after=2000-01-01T00:00:00Z")).Count);

        await (await account.Http.GetAsync("/v1/signature-requests?status=signed")).ExpectProblemAsync(HttpStatusCode.BadRequest);
        await (await account.Http.GetAsync("/v1/signature-requests?limit=1000")).ExpectProblemAsync(HttpStatusCode.BadRequest);
        await (await account.Http.GetAsync("/v1/signature-requests?created_after=yesterday")).ExpectProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Text_tags_in_the_pdf_become_fields_at_their_position()
    {
        var account = await hub.NewAccountAsync();
        var pdf = TestPdfs.Build([new TestPage(612, 792, [
            new TestText(72, 100, "Client signature:"),
            new TestText(72, 500, "[sig|req|signer1|Client signature]"),
            new TestText(350, 500, "[date|req|signer1]"),
            new TestText(72, 600, "[initial|noreq|signer2]"),
        ])]);
        var body = HttpExtensions.SignatureRequestBody(await account.Http.UploadPdfAsync(pdf));
        body.Remove("fields");
        body["use_text_tags"] = true;

        var request = await account.Http.CreateSignatureRequestAsync(body);

        var fields = request["fields"]!.AsArray();
        Assert.Equal(3, fields.Count);
        var signature = fields.Single(f => (string)f!["type"]! == "signature")!;
        Assert.Equal(0, (int)signature["signer"]!);
        Assert.Equal("Client signature", (string?)signature["label"]);
        Assert.InRange((double)signature["x"]!, 71, 73);
        Assert.InRange((double)signature["y"]!, 498, 503);
        Assert.True((bool)signature["required"]!);
        var initials = fields.Single(f => (string)f!["type"]! == "initials")!;
        Assert.Equal(1, (int)initials["signer"]!);
        Assert.False((bool)initials["required"]!);
        Assert.Contains(fields, f => (string)f!["type"]! == "date_signed" && (double)f["x"]! > 349);
    }

    [Fact]
    public async Task Template_with_roles_creates_requests_with_signers_given_per_role()
    {
        var account = await hub.NewAccountAsync();
        var documentId = await account.Http.UploadPdfAsync();
        var template = await (await account.Http.PostJsonAsync("/v1/templates", new
        {
            name = "Service agreement",
            document_id = documentId,
            title = "Service agreement for {client}",
            roles = new[] { "client", "provider" },
            fields = new object[]
            {
                new { type = "signature", signer = "client", page = 1, x = 72, y = 600, width = 180, height = 36 },
                new { type = "signature", signer = "provider", page = 2, x = 320, y = 600, width = 180, height = 36 },
                new { type = "text", signer = "client", page = 1, x = 72, y = 660, width = 180, height = 16, label = "PO number", required = false },
            },
        })).ExpectAsync(HttpStatusCode.Created);
        var templateId = (string)template["id"]!;
        Assert.StartsWith("tpl_", templateId);
        Assert.Equal("pdf", (string)template["kind"]!);

        var listed = await (await account.Http.GetAsync("/v1/templates")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(templateId, (string)listed["data"]![0]!["id"]!);
        await (await account.Http.GetAsync($"/v1/templates/{templateId}")).ExpectAsync(HttpStatusCode.OK);

        var request = await account.Http.CreateSignatureRequestAsync(new
        {
            template_id = templateId,
            signing_order = "sequential",
            signers = new object[]
            {
                new { role = "provider", name = "Pat Provider", email = "pat@provider.example", order = 2 },
                new { role = "client", name = "Cleo Client", email = "cleo@client.example", order = 1 },
            },
        });
        Assert.Equal(templateId, (string)request["template_id"]!);
        Assert.Equal(documentId, (string)request["document_id"]!);
        var signers = request["signers"]!.AsArray();
        Assert.Equal(["waiting", "sent"], signers.Select(s => (string)s!["status"]!));
        var fields = request["fields"]!.AsArray();
        Assert.Equal(3, fields.Count);
        var providerSignature = fields.Single(f => (int)f!["page"]! == 2)!;
        Assert.Equal((string)signers[0]!["id"]!, (string)providerSignature["signer_id"]!);
        Assert.Contains(fields, f => (string?)f!["label"] == "PO number" && !(bool)f["required"]!);

        var missingRole = await (await account.Http.PostJsonAsync("/v1/signature-requests", new
        {
            template_id = templateId,
            signers = new object[] { new { role = "client", name = "Cleo Client", email = "cleo@client.example" } },
        })).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("provider", (string)missingRole["errors"]!["signers"]![0]!);
    }

    [Fact]
    public async Task Template_fields_must_name_a_role_and_fit_the_page()
    {
        var account = await hub.NewAccountAsync();
        var problem = await (await account.Http.PostJsonAsync("/v1/templates", new
        {
            name = "Bad",
            document_id = await account.Http.UploadPdfAsync(),
            roles = new[] { "client" },
            fields = new object[] { new { type = "signature", signer = "ceo", page = 1, x = 72, y = 780, width = 180, height = 36 } },
        })).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(problem["errors"]!["fields[0].signer"]);
        Assert.NotNull(problem["errors"]!["fields[0]"]);
    }

    private static async Task<List<string>> IdsAsync(HubClient account, string query)
    {
        var page = await (await account.Http.GetAsync("/v1/signature-requests?limit=100&" + query)).ExpectAsync(HttpStatusCode.OK);
        return page["data"]!.AsArray().Select(r => (string)r!["id"]!).ToList();
    }
}

public sealed class SqliteSignatureRequestTests(SqliteHub hub) : SignatureRequestTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresSignatureRequestTests(PostgresHub hub) : SignatureRequestTests(hub), IClassFixture<PostgresHub>;
