using System.Net;
using ESign.Hub.Tests.Infrastructure;

namespace ESign.Hub.Tests.Api;

/// <summary>Bad input of every shape gets a 4xx problem that says what to fix, never a 500, and stores nothing.</summary>
public abstract class HostileInputTests(HubFactory hub)
{
    public static TheoryData<string> BadSignatureRequestBodies => new()
    {
        "null",
        "[]",
        "\"text\"",
        "{}",
        "{\"document_id\": null, \"signers\": null, \"fields\": null}",
        "{\"document_id\": \"DOC\", \"title\": \"t\", \"signers\": [null], \"fields\": [null]}",
        "{\"document_id\": \"DOC\", \"title\": \"t\", \"signers\": [{\"name\": \"A\", \"email\": \"a@example.com\"}], \"fields\": [{\"type\": \"signature\", \"signer\": {\"x\": 1}, \"page\": 1, \"x\": 1, \"y\": 1, \"width\": 1, \"height\": 1}]}",
        "{\"document_id\": \"DOC\", \"title\": \"t\", \"signers\": [{\"name\": \"A\", \"email\": \"a@example.com\"}], \"fields\": [{\"type\": \"signature\", \"signer\": 0, \"page\": 1, \"x\": 1e308, \"y\": -1e308, \"width\": 1e308, \"height\": 1}]}",
        "{\"document_id\": \"DOC\", \"title\": \"t\", \"signers\": [{\"name\": \"A\", \"email\": \"a@example.com\"}], \"fields\": [{\"type\": \"signature\", \"signer\": 0, \"page\": 99999999999, \"x\": 1, \"y\": 1, \"width\": 1, \"height\": 1}]}",
        "{\"document_id\": \"DOC\", \"title\": \"t\", \"signers\": [{\"name\": \"A\", \"email\": \"a@example.com\", \"order\": -5}], \"signing_order\": \"sequential\"}",
        "{\"document_id\": \"DOC\", \"title\": \"t\", \"signers\": [{\"name\": \"A\", \"email\": \"a@example.com\"}], \"metadata\": {\"k\": null, \"\": \"v\", \"n\": 5}}",
        "{\"document_id\": \"DOC\", \"title\": \"t\", \"signers\": [{\"name\": \"A\", \"email\": \"a@example.com\"}], \"expires_at\": \"not a time\"}",
        "{\"document_id\": \"DOC\", \"title\": \"t\", \"signers\": [{\"name\": \"A\", \"email\": \"a@example.com\"}], \"expires_at\": \"2001-01-01T00:00:00Z\"}",
        "{\"document_id\": \"DOC\", \"title\": \"t\", \"signers\": [{\"name\": \"A\", \"email\": \"a@example.com\"}], \"reminders\": {\"after_days\": -1, \"max\": 1000}}",
        "{\"document_id\": \"DOC\", \"template_id\": \"tpl_x\", \"title\": \"t\", \"signers\": []}",
        "{\"document_id\": \"DOC\", \"title\": \"t\", \"signers\": [{\"name\": \"A\", \"email\": \"a@example.com\"}], \"use_text_tags\": \"yes\"}",
        "{\"document_id\": \"DOC\", \"title\": \"" + new string('x', 100_000) + "\", \"signers\": [{\"name\": \"A\", \"email\": \"a@example.com\"}]}",
        "{\"document_id\": \"DOC\"" + string.Concat(Enumerable.Repeat(", \"a\": [", 2000)) + string.Concat(Enumerable.Repeat("]", 2000)) + "}",
    };

    [Theory]
    [MemberData(nameof(BadSignatureRequestBodies))]
    public async Task Bad_signature_request_bodies_get_a_4xx_problem_and_store_nothing(string json)
    {
        var account = await hub.NewAccountAsync();
        var documentId = await account.Http.UploadPdfAsync();

        var response = await account.Http.PostRawJsonAsync("/v1/signature-requests", json.Replace("DOC", documentId));

        Assert.InRange((int)response.StatusCode, 400, 499);
        await response.ExpectProblemAsync(response.StatusCode);
        var list = await (await account.Http.GetAsync("/v1/signature-requests")).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(list["data"]!.AsArray());
    }

    [Theory]
    [InlineData("/v1/templates", "{\"name\": \"t\", \"document_id\": \"DOC\", \"roles\": [null, \"\"], \"fields\": [null]}")]
    [InlineData("/v1/templates", "{\"name\": \"t\", \"kind\": \"docx\", \"document_id\": \"DOC\", \"roles\": [\"a\", \"a\"]}")]
    [InlineData("/v1/api-keys", "{\"name\": \"k\", \"scopes\": [null]}")]
    [InlineData("/v1/api-keys", "{\"name\": \"k\", \"scopes\": \"admin\"}")]
    [InlineData("/v1/oauth-clients", "{\"name\": null, \"scopes\": [], \"mode\": \"prod\"}")]
    [InlineData("/v1/documents", "{\"name\": \"../../etc/passwd\", \"content_base64\": \"JVBERi0=\"}")]
    public async Task Bad_bodies_on_other_endpoints_get_a_4xx_problem(string path, string json)
    {
        var account = await hub.NewAccountAsync();
        var documentId = await account.Http.UploadPdfAsync();
        var response = await account.Http.PostRawJsonAsync(path, json.Replace("DOC", documentId));
        Assert.InRange((int)response.StatusCode, 400, 499);
        await response.ExpectProblemAsync(response.StatusCode);
    }

    [Fact]
    public async Task Wrong_content_type_is_415()
    {
        var account = await hub.NewAccountAsync();
        var response = await account.Http.PostAsync("/v1/signature-requests", new StringContent("title=x", System.Text.Encoding.UTF8, "text/plain"));
        await response.ExpectProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }
}

public sealed class SqliteHostileInputTests(SqliteHub hub) : HostileInputTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresHostileInputTests(PostgresHub hub) : HostileInputTests(hub), IClassFixture<PostgresHub>;
