using System.Net;
using System.Net.Http.Headers;
using ESign.Hub.Tests.Infrastructure;

namespace ESign.Hub.Tests.Api;

public abstract class AuthTests(HubFactory hub)
{
    [Fact]
    public async Task No_credential_or_an_unknown_key_is_401_problem()
    {
        var anonymous = await hub.Anonymous().GetAsync("/v1/signature-requests");
        await anonymous.ExpectProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);

        await (await hub.WithToken("esk_test_" + new string('x', 43)).GetAsync("/v1/signature-requests")).ExpectProblemAsync(HttpStatusCode.Unauthorized);
        await (await hub.WithToken("not.a.jwt").GetAsync("/v1/signature-requests")).ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Created_key_works_is_listed_by_hint_only_and_stops_at_once_when_revoked()
    {
        var admin = await hub.NewAccountAsync();
        var created = await (await admin.Http.PostJsonAsync("/v1/api-keys", new { name = "CRM", scopes = new[] { "signature_requests:read" } }))
            .ExpectAsync(HttpStatusCode.Created);
        var key = (string)created["key"]!;
        Assert.StartsWith("esk_test_", key);
        var client = hub.WithToken(key);
        await (await client.GetAsync("/v1/signature-requests")).ExpectAsync(HttpStatusCode.OK);

        var list = await (await admin.Http.GetAsync("/v1/api-keys")).ExpectAsync(HttpStatusCode.OK);
        var listed = list["data"]!.AsArray().Single(k => (string)k!["id"]! == (string)created["id"]!)!;
        Assert.Null(listed["key"]);
        Assert.DoesNotContain(key, list.ToJsonString());
        Assert.EndsWith(key[^4..], (string)listed["hint"]!);

        await (await admin.Http.DeleteAsync($"/v1/api-keys/{created["id"]}")).ExpectAsync(HttpStatusCode.OK);
        await (await client.GetAsync("/v1/signature-requests")).ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Missing_scope_is_403_naming_the_scope()
    {
        var admin = await hub.NewAccountAsync();
        var created = await (await admin.Http.PostJsonAsync("/v1/api-keys", new { name = "Reader", scopes = new[] { "signature_requests:read" } }))
            .ExpectAsync(HttpStatusCode.Created);
        var reader = hub.WithToken((string)created["key"]!);

        var problem = await (await reader.PostAsync("/v1/documents", HttpExtensions.PdfForm(TestPdfs.Letter()))).ExpectProblemAsync(HttpStatusCode.Forbidden);
        Assert.Contains("documents:write", (string)problem["detail"]!);
        await (await reader.GetAsync("/v1/api-keys")).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await (await reader.DeleteAsync("/v1/signature-requests/sr_x")).ExpectProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Key_requests_are_validated_and_a_test_key_cannot_mint_a_live_key()
    {
        var admin = await hub.NewAccountAsync(testMode: true);
        var problem = await (await admin.Http.PostJsonAsync("/v1/api-keys", new { name = "", scopes = new[] { "everything" }, mode = "live" }))
            .ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.NotNull(problem["errors"]!["name"]);
        Assert.Contains("everything", (string)problem["errors"]!["scopes"]![0]!);
        Assert.NotNull(problem["errors"]!["mode"]);
        await (await admin.Http.DeleteAsync("/v1/api-keys/key_unknown")).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Live_key_creates_live_objects_and_test_key_test_objects()
    {
        var live = await hub.NewAccountAsync(testMode: false);
        var liveDoc = await (await live.Http.PostAsync("/v1/documents", HttpExtensions.PdfForm(TestPdfs.Letter(2)))).ExpectAsync(HttpStatusCode.Created);
        Assert.False((bool)liveDoc["test_mode"]!);
        var liveRequest = await live.Http.CreateSignatureRequestAsync(HttpExtensions.SignatureRequestBody((string)liveDoc["id"]!));
        Assert.False((bool)liveRequest["test_mode"]!);

        // A live key makes live keys only; the account's test admin key makes test ones.
        await (await live.Http.PostJsonAsync("/v1/api-keys", new { name = "Sandbox", scopes = new[] { "documents:write" }, mode = "test" }))
            .ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        var testAdmin = await hub.OtherModeAdminAsync(live);
        var testKey = await (await testAdmin.Http.PostJsonAsync("/v1/api-keys", new { name = "Sandbox", scopes = new[] { "documents:write", "signature_requests:write" }, mode = "test" }))
            .ExpectAsync(HttpStatusCode.Created);
        var sandbox = hub.WithToken((string)testKey["key"]!);
        var testDoc = await sandbox.UploadPdfAsync();
        var testRequest = await sandbox.CreateSignatureRequestAsync(HttpExtensions.SignatureRequestBody(testDoc));
        Assert.True((bool)testRequest["test_mode"]!);

        // A document uploaded in test mode cannot be sent for real, nor a live one in test mode: each mode sees only its own.
        var problem = await (await live.Http.PostJsonAsync("/v1/signature-requests", HttpExtensions.SignatureRequestBody(testDoc)))
            .ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("live mode", (string)problem["errors"]!["document_id"]![0]!);
        problem = await (await sandbox.PostJsonAsync("/v1/signature-requests", HttpExtensions.SignatureRequestBody((string)liveDoc["id"]!)))
            .ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("test mode", (string)problem["errors"]!["document_id"]![0]!);
    }

    [Fact]
    public async Task OAuth_client_credentials_issue_tokens_limited_to_granted_scopes()
    {
        var admin = await hub.NewAccountAsync();
        var client = await (await admin.Http.PostJsonAsync("/v1/oauth-clients", new { name = "ERP", scopes = new[] { "documents:read", "documents:write", "signature_requests:read" } }))
            .ExpectAsync(HttpStatusCode.Created);
        var clientId = (string)client["client_id"]!;
        var secret = (string)client["client_secret"]!;

        var token = await (await hub.Anonymous().PostAsync("/oauth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret, ["scope"] = "documents:read documents:write",
        }))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Bearer", (string)token["token_type"]!);
        Assert.InRange((int)token["expires_in"]!, 60, 3600);
        Assert.Equal("documents:read documents:write", (string)token["scope"]!);

        var api = hub.WithToken((string)token["access_token"]!);
        var documentId = await api.UploadPdfAsync();
        await (await api.GetAsync($"/v1/documents/{documentId}")).ExpectAsync(HttpStatusCode.OK);
        // signature_requests:read is allowed for the client but was not requested for this token.
        await (await api.GetAsync("/v1/signature-requests")).ExpectProblemAsync(HttpStatusCode.Forbidden);
        // The token works only inside its account.
        var stranger = await hub.NewAccountAsync();
        var strangersDoc = await stranger.Http.UploadPdfAsync();
        await (await api.GetAsync($"/v1/documents/{strangersDoc}")).ExpectProblemAsync(HttpStatusCode.NotFound);

        // HTTP Basic client authentication works too; with no scope asked, every allowed scope is granted.
        var basic = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
        };
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{clientId}:{secret}")));
        var all = await (await hub.Anonymous().SendAsync(basic)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("documents:read documents:write signature_requests:read", (string)all["scope"]!);

        // Revoking the client ends its tokens at once.
        await (await admin.Http.DeleteAsync($"/v1/oauth-clients/{clientId}")).ExpectAsync(HttpStatusCode.OK);
        await (await api.GetAsync($"/v1/documents/{documentId}")).ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task OAuth_token_errors_follow_rfc_6749()
    {
        var admin = await hub.NewAccountAsync();
        var client = await (await admin.Http.PostJsonAsync("/v1/oauth-clients", new { name = "ERP", scopes = new[] { "documents:read" } }))
            .ExpectAsync(HttpStatusCode.Created);
        var anonymous = hub.Anonymous();

        async Task<string> ErrorAsync(Dictionary<string, string> form, HttpStatusCode status) =>
            (string)(await (await anonymous.PostAsync("/oauth/token", new FormUrlEncodedContent(form))).ExpectProblemAsync(status))["error"]!;

        Assert.Equal("invalid_client", await ErrorAsync(new()
            { ["grant_type"] = "client_credentials", ["client_id"] = (string)client["client_id"]!, ["client_secret"] = "wrong" }, HttpStatusCode.Unauthorized));
        Assert.Equal("invalid_scope", await ErrorAsync(new()
            { ["grant_type"] = "client_credentials", ["client_id"] = (string)client["client_id"]!, ["client_secret"] = (string)client["client_secret"]!, ["scope"] = "admin" },
            HttpStatusCode.BadRequest));
        Assert.Equal("unsupported_grant_type", await ErrorAsync(new() { ["grant_type"] = "password" }, HttpStatusCode.BadRequest));
        var list = await (await admin.Http.GetAsync("/v1/oauth-clients")).ExpectAsync(HttpStatusCode.OK);
        Assert.DoesNotContain((string)client["client_secret"]!, list.ToJsonString());
    }
}

public sealed class SqliteAuthTests(SqliteHub hub) : AuthTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresAuthTests(PostgresHub hub) : AuthTests(hub), IClassFixture<PostgresHub>;
