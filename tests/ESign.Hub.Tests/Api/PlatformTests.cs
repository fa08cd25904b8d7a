using System.Net;
using System.Text.Json.Nodes;
using ESign.Hub.Tests.Infrastructure;

namespace ESign.Hub.Tests.Api;

/// <summary>What operators and integrators rely on around the API: health, schema, docs, audit, bootstrap.</summary>
public abstract class PlatformTests(HubFactory hub)
{
    [Fact]
    public async Task Healthz_and_readyz_answer_ok_on_a_migrated_database()
    {
        var health = await (await hub.Anonymous().GetAsync("/healthz")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("ok", (string)health["status"]!);
        var ready = await (await hub.Anonymous().GetAsync("/readyz")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("ok", (string)ready["status"]!);
    }

    [Fact]
    public async Task OpenApi_document_describes_every_endpoint_with_schemas()
    {
        var document = await (await hub.Anonymous().GetAsync("/openapi/v1.json")).ExpectAsync(HttpStatusCode.OK);
        Assert.StartsWith("3.1", (string)document["openapi"]!);
        var paths = document["paths"]!.AsObject();
        foreach (var path in new[]
        {
            "/v1/documents", "/v1/documents/{id}", "/v1/documents/{id}/download", "/v1/signature-requests", "/v1/signature-requests/{id}",
            "/v1/templates", "/v1/templates/{id}", "/v1/api-keys", "/v1/api-keys/{id}", "/v1/oauth-clients", "/v1/oauth-clients/{id}",
            "/oauth/token", "/v1/audit-events", "/healthz", "/readyz", "/v1/account",
            "/v1/signature-requests/{id}/signers/{signerId}/embedded-url", "/v1/webhook-endpoints", "/v1/webhook-endpoints/{id}",
            "/v1/webhook-endpoints/{id}/rotate-secret", "/v1/webhook-endpoints/{id}/deliveries", "/v1/webhook-endpoints/{id}/replay",
            "/v1/events/{id}/redeliver", "/v1/documents/generate", "/v1/templates/{id}/preview", "/v1/workflows", "/v1/workflows/{definitionId}", "/v1/workflows/import", "/v1/workflows/validate", "/v1/workflows/{definitionId}/publish",
        })
            Assert.True(paths.ContainsKey(path), $"OpenAPI lacks {path}");
        var create = paths["/v1/signature-requests"]!["post"]!;
        Assert.NotNull(create["requestBody"]!["content"]!["application/json"]);
        Assert.NotNull(create["responses"]!["201"]!["content"]!["application/json"]!["schema"]);
        var schemas = document["components"]!["schemas"]!.AsObject();
        Assert.True(schemas.ContainsKey("SignatureRequestResponse"));
        Assert.True(schemas["CreateSignatureRequestBody"]!["properties"]!.AsObject().ContainsKey("document_id"));
    }

    [Fact]
    public async Task Docs_page_is_served_by_the_hub_itself()
    {
        var page = await hub.Anonymous().GetAsync("/docs/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("ESign.Hub API", html);
        Assert.DoesNotContain("cdn.jsdelivr.net", html); // works offline: the script is served locally
    }

    [Fact]
    public async Task Audit_events_record_each_call_with_credential_route_and_status()
    {
        var account = await hub.NewAccountAsync();
        var documentId = await account.Http.UploadPdfAsync();
        await account.Http.GetAsync($"/v1/documents/{documentId}");
        await account.Http.GetAsync("/v1/documents/doc_missing");

        var audit = await (await account.Http.GetAsync("/v1/audit-events?limit=10")).ExpectAsync(HttpStatusCode.OK);
        var events = audit["data"]!.AsArray().Select(e => e!).ToList();
        Assert.Contains(events, e => (string)e["method"]! == "POST" && (string)e["route"]! == "/v1/documents/" && (int)e["status_code"]! == 201);
        Assert.Contains(events, e => (string)e["route"]! == "/v1/documents/{id}" && (int)e["status_code"]! == 404 && (string)e["path"]! == "/v1/documents/doc_missing");
        Assert.All(events, e => Assert.StartsWith("key_", (string)e["credential_id"]!));
        Assert.All(events, e => Assert.NotNull(e["occurred_at"]));

        // Another account sees none of it.
        var stranger = await hub.NewAccountAsync();
        var theirs = await (await stranger.Http.GetAsync("/v1/audit-events")).ExpectAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(theirs["data"]!.AsArray(), e => ((string)e!["path"]!).Contains(documentId));
    }

    [Fact]
    public async Task Unknown_route_is_a_problem_not_an_empty_page()
    {
        var account = await hub.NewAccountAsync();
        var response = await account.Http.GetAsync("/v1/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}

public sealed class SqlitePlatformTests(SqliteHub hub) : PlatformTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresPlatformTests(PostgresHub hub) : PlatformTests(hub), IClassFixture<PostgresHub>;

/// <summary>A hub started with Hub:BootstrapApiKey and a tight rate limit, on each database.</summary>
public class ConfiguredHub(Database database) : HubFactory(database)
{
    public const string BootstrapKey = "esk_test_bootstrap_0123456789abcdef";

    protected override Dictionary<string, string?> Settings => new()
    {
        ["Hub:BootstrapApiKey"] = BootstrapKey,
        ["Hub:RateLimit:PermitsPerSecond"] = "5",
        ["Hub:RateLimit:Burst"] = "10",
    };
}

public sealed class SqliteConfiguredHub() : ConfiguredHub(Database.Sqlite);

public sealed class PostgresConfiguredHub() : ConfiguredHub(Database.Postgres);

public abstract class BootstrapAndRateLimitTests(ConfiguredHub hub)
{
    [Fact]
    public async Task Bootstrap_key_works_on_a_fresh_hub()
    {
        var client = hub.WithToken(ConfiguredHub.BootstrapKey);
        var documentId = await client.UploadPdfAsync();
        var request = await client.CreateSignatureRequestAsync(HttpExtensions.SignatureRequestBody(documentId));
        Assert.True((bool)request["test_mode"]!);
        await (await client.GetAsync("/v1/api-keys")).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Over_the_rate_limit_answers_429_with_retry_after_per_key()
    {
        var busy = await hub.NewAccountAsync();
        var calm = await hub.NewAccountAsync();

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 30; i++) responses.Add(await busy.Http.GetAsync("/v1/signature-requests"));

        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        var limited = responses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        await limited.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        // Another key has its own budget.
        await (await calm.Http.GetAsync("/v1/signature-requests")).ExpectAsync(HttpStatusCode.OK);
    }
}

public sealed class SqliteBootstrapAndRateLimitTests(SqliteConfiguredHub hub) : BootstrapAndRateLimitTests(hub), IClassFixture<SqliteConfiguredHub>;

public sealed class PostgresBootstrapAndRateLimitTests(PostgresConfiguredHub hub) : BootstrapAndRateLimitTests(hub), IClassFixture<PostgresConfiguredHub>;
