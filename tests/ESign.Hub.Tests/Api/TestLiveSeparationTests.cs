using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ESign.Hub.Tests.Infrastructure;
using static ESign.Hub.Tests.Workflows.ElsaSamples;
using static ESign.Hub.Tests.Workflows.WorkflowRunTests;

namespace ESign.Hub.Tests.Api;

/// <summary>
/// Test mode is a separate world in the same account, as in Stripe: a key of one mode reads, changes and sends nothing of
/// the other mode, in either direction, for every per-mode resource (documents, requests with signers and embedded URLs,
/// templates, webhook endpoints with deliveries and events, API keys, OAuth clients, workflows with runs and events, the
/// audit log). Ids of the other mode answer 404.
/// </summary>
public abstract class TestLiveSeparationTests(HubFactory hub)
{
    [Fact]
    public Task A_test_key_reaches_no_live_object_of_its_account() => OtherModeReachesNothingAsync(ownerIsLive: true);

    [Fact]
    public Task A_live_key_reaches_no_test_object_of_its_account() => OtherModeReachesNothingAsync(ownerIsLive: false);

    private async Task OtherModeReachesNothingAsync(bool ownerIsLive)
    {
        var owner = await hub.NewAccountAsync(testMode: !ownerIsLive);
        var other = await hub.OtherModeAdminAsync(owner);
        var (o, x) = (owner.Http, other.Http);

        // The owner's mode: one of everything.
        var documentId = await o.UploadPdfAsync();
        var request = await o.CreateSignatureRequestAsync(HttpExtensions.SignatureRequestBody(documentId));
        var requestId = (string)request["id"]!;
        var signerId = (string)request["signers"]![0]!["id"]!;
        Assert.Equal(!ownerIsLive, (bool)request["test_mode"]!);
        var eventId = (string)(await (await o.GetAsync($"/v1/signature-requests/{requestId}")).ExpectAsync(HttpStatusCode.OK))["events"]![0]!["id"]!;
        var templateBody = new { name = "Offer", kind = "html", content = "<p>{{ name }}</p>", roles = new[] { "client" } };
        var templateId = (string)(await (await o.PostJsonAsync("/v1/templates", templateBody)).ExpectAsync(HttpStatusCode.Created))["id"]!;
        var hookUrl = ownerIsLive ? "https://hooks.example.com/esign" : "http://127.0.0.1:9/hook";
        var hookId = (string)(await (await o.PostJsonAsync("/v1/webhook-endpoints", new { url = hookUrl })).ExpectAsync(HttpStatusCode.Created))["id"]!;
        var keyId = (string)(await (await o.PostJsonAsync("/v1/api-keys", new { name = "Reader", scopes = new[] { "documents:read" } }))
            .ExpectAsync(HttpStatusCode.Created))["id"]!;
        var clientId = (string)(await (await o.PostJsonAsync("/v1/oauth-clients", new { name = "ERP", scopes = new[] { "documents:read" } }))
            .ExpectAsync(HttpStatusCode.Created))["client_id"]!;
        var eventName = "Go-" + Guid.NewGuid().ToString("N")[..8];
        var definition = Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("wait", "Elsa.Event", Literal("eventName", eventName))}, {Activity("end", "Elsa.End")}",
            $"{Link("start", "Done", "wait")}, {Link("wait", "Done", "end")}");
        var workflowId = await Publish(owner, definition);
        var runId = (string)(await Run(owner, workflowId))["id"]!;

        // Every id of the owner's mode is unknown to the other mode, read or write.
        foreach (var path in new[]
        {
            $"/v1/documents/{documentId}", $"/v1/documents/{documentId}/download", $"/v1/signature-requests/{requestId}",
            $"/v1/templates/{templateId}", $"/v1/webhook-endpoints/{hookId}", $"/v1/webhook-endpoints/{hookId}/deliveries",
            $"/v1/workflows/{workflowId}", $"/v1/workflow-runs/{runId}",
        })
            await (await x.GetAsync(path)).ExpectProblemAsync(HttpStatusCode.NotFound);
        var writes = new List<(HttpMethod Method, string Path, object? Body)>
        {
            (HttpMethod.Delete, $"/v1/signature-requests/{requestId}", null),
            (HttpMethod.Post, $"/v1/signature-requests/{requestId}/signers/{signerId}/embedded-url", new { }),
            (HttpMethod.Post, "/v1/documents/generate", new { template_id = templateId, data = new { name = "Ada" } }),
            (HttpMethod.Post, $"/v1/templates/{templateId}/preview", new { data = new { name = "Ada" } }),
            (HttpMethod.Put, $"/v1/templates/{templateId}", templateBody),
            (HttpMethod.Patch, $"/v1/webhook-endpoints/{hookId}", new { enabled = false }),
            (HttpMethod.Post, $"/v1/webhook-endpoints/{hookId}/rotate-secret", new { }),
            (HttpMethod.Post, $"/v1/webhook-endpoints/{hookId}/replay", new { since = DateTime.UtcNow.AddHours(-1) }),
            (HttpMethod.Delete, $"/v1/webhook-endpoints/{hookId}", null),
            (HttpMethod.Post, $"/v1/events/{eventId}/redeliver", new { }),
            (HttpMethod.Delete, $"/v1/api-keys/{keyId}", null),
            (HttpMethod.Delete, $"/v1/oauth-clients/{clientId}", null),
            (HttpMethod.Post, $"/v1/workflows/{workflowId}/publish", new { }),
            (HttpMethod.Post, $"/v1/workflows/{workflowId}/runs", new { input = new { } }),
            (HttpMethod.Post, $"/v1/workflow-runs/{runId}/cancel", new { }),
            (HttpMethod.Post, $"/v1/workflow-runs/{runId}/retry", new { }),
        };
        foreach (var (method, path, body) in writes)
        {
            var response = await x.SendAsync(new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) });
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} answered {(int)response.StatusCode}, not 404");
        }
        await (await x.PutAsync($"/v1/workflows/{workflowId}", Body(definition))).ExpectProblemAsync(HttpStatusCode.NotFound);

        // The owner's document and template cannot be sent from the other mode.
        var fromDocument = await (await x.PostJsonAsync("/v1/signature-requests", HttpExtensions.SignatureRequestBody(documentId)))
            .ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains(documentId, (string)fromDocument["errors"]!["document_id"]![0]!);
        var fromTemplate = await (await x.PostJsonAsync("/v1/signature-requests", new
        {
            template_id = templateId, merge_data = new { name = "Ada" }, signers = new[] { new { name = "Ann Lee", email = "ann@example.com", role = "client" } },
        })).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains(templateId, (string)fromTemplate["errors"]!["template_id"]![0]!);

        // Keys of one mode make no credentials of the other.
        var ownerMode = ownerIsLive ? "live" : "test";
        var mode = await (await x.PostJsonAsync("/v1/api-keys", new { name = "Sneaky", scopes = new[] { "admin" }, mode = ownerMode }))
            .ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains($"{(ownerIsLive ? "test" : "live")}-mode credential", (string)mode["errors"]!["mode"]![0]!);
        await (await x.PostJsonAsync("/v1/oauth-clients", new { name = "Sneaky", scopes = new[] { "admin" }, mode = ownerMode }))
            .ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);

        // An event published in the other mode does not resume the owner's run.
        var published = await (await x.PostJsonAsync("/v1/workflow-events", new { name = eventName })).ExpectAsync(HttpStatusCode.Accepted);
        Assert.Empty(published["run_ids"]!.AsArray());

        // No list of the other mode shows any of it.
        var ownerIds = new[] { documentId, requestId, templateId, hookId, keyId, clientId, workflowId, runId, eventId };
        foreach (var list in new[]
        {
            "/v1/signature-requests", "/v1/templates", "/v1/webhook-endpoints", "/v1/api-keys", "/v1/oauth-clients", "/v1/workflows",
            "/v1/workflow-runs",
        })
        {
            var json = (await (await x.GetAsync(list)).ExpectAsync(HttpStatusCode.OK)).ToJsonString();
            foreach (var id in ownerIds) Assert.DoesNotContain(id, json);
        }
        // The audit log is per mode too: the other mode's admin sees its own calls, none of the owner's.
        var ownerCredentials = (await (await o.GetAsync("/v1/audit-events?limit=500")).ExpectAsync(HttpStatusCode.OK))["data"]!.AsArray()
            .Select(e => (string?)e!["credential_id"]).Distinct().ToList();
        var otherCredentials = (await (await x.GetAsync("/v1/audit-events?limit=500")).ExpectAsync(HttpStatusCode.OK))["data"]!.AsArray()
            .Select(e => (string?)e!["credential_id"]).Distinct().ToList();
        Assert.NotEmpty(otherCredentials);
        Assert.Empty(ownerCredentials.Intersect(otherCredentials));

        // The owner's world is untouched, and works.
        Assert.Equal("pending", (string)(await (await o.GetAsync($"/v1/signature-requests/{requestId}")).ExpectAsync(HttpStatusCode.OK))["status"]!);
        Assert.True((bool)(await (await o.GetAsync($"/v1/webhook-endpoints/{hookId}")).ExpectAsync(HttpStatusCode.OK))["enabled"]!);
        Assert.Null((await (await o.GetAsync("/v1/api-keys")).ExpectAsync(HttpStatusCode.OK))["data"]!.AsArray()
            .Single(k => (string)k!["id"]! == keyId)!["revoked_at"]);
        Assert.Equal("suspended", (string)(await Get(owner, runId))["status"]!);
        var resumed = await (await o.PostJsonAsync("/v1/workflow-events", new { name = eventName })).ExpectAsync(HttpStatusCode.Accepted);
        Assert.Equal(runId, (string)Assert.Single(resumed["run_ids"]!.AsArray())!);
        await (await o.PostJsonAsync($"/v1/signature-requests/{requestId}/signers/{signerId}/embedded-url", new { })).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Each_mode_has_its_own_names_idempotency_keys_and_shipped_workflow()
    {
        var test = await hub.NewAccountAsync(testMode: true);
        var live = await hub.OtherModeAdminAsync(test);

        // The same workflow id in both modes: two definitions.
        var definition = Flowchart($"{Activity("start", "Elsa.Start")}, {Activity("say", "Elsa.WriteLine", Literal("text", "hi"))}", Link("start", "Done", "say"));
        var id = "wf-" + Guid.NewGuid().ToString("N")[..10];
        foreach (var client in new[] { test.Http, live.Http })
            await (await client.PostAsync("/v1/workflows", Body(definition.Replace("\"definitionId\": \"d1\"", $"\"definitionId\": \"{id}\""))))
                .ExpectAsync(HttpStatusCode.Created);
        await (await live.Http.PostAsync($"/v1/workflows/{id}/publish", null)).ExpectAsync(HttpStatusCode.OK);
        Assert.Null((await (await test.Http.GetAsync($"/v1/workflows/{id}")).ExpectAsync(HttpStatusCode.OK))["published_at"]);

        // The same Idempotency-Key in both modes: two templates, each seen only in its mode.
        var body = new { name = "Offer", kind = "html", content = "<p>{{ name }}</p>", roles = new[] { "client" } };
        var inTest = await (await test.Http.PostJsonAsync("/v1/templates", body, idempotencyKey: "same-key")).ExpectAsync(HttpStatusCode.Created);
        var inLive = await (await live.Http.PostJsonAsync("/v1/templates", body, idempotencyKey: "same-key")).ExpectAsync(HttpStatusCode.Created);
        Assert.NotEqual((string)inTest["id"]!, (string)inLive["id"]!);
        Assert.True((bool)inTest["test_mode"]!);
        Assert.False((bool)inLive["test_mode"]!);

        // The shipped workflow is published in both modes.
        foreach (var client in new[] { test.Http, live.Http })
            Assert.NotNull((await (await client.GetAsync("/v1/workflows/send-for-signature")).ExpectAsync(HttpStatusCode.OK))["published_at"]);
    }

    [Fact]
    public async Task A_live_request_is_signed_through_its_links_sealed_without_the_test_watermark_and_stays_live()
    {
        var live = await hub.NewAccountAsync(testMode: false);
        var test = await hub.OtherModeAdminAsync(live);
        var request = await live.Http.CreateSignatureRequestAsync(HttpExtensions.SignatureRequestBody(await live.Http.UploadPdfAsync()));
        foreach (var signer in request["signers"]!.AsArray())
            await SigningClient.FromUrl(hub, (string)signer!["signing_url"]!).ConsentAndSignAsync();

        var done = await (await live.Http.GetAsync($"/v1/signature-requests/{request["id"]}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("completed", (string)done["status"]!);
        var signedId = (string)done["signed_document_id"]!;
        var signed = await (await live.Http.GetAsync($"/v1/documents/{signedId}")).ExpectAsync(HttpStatusCode.OK);
        Assert.False((bool)signed["test_mode"]!);
        var pdf = await (await live.Http.GetAsync($"/v1/documents/{signedId}/download")).Content.ReadAsByteArrayAsync();
        Assert.DoesNotContain("not legally binding", await PdfTools.Text(pdf));
        await (await test.Http.GetAsync($"/v1/documents/{signedId}/download")).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_http_trigger_starts_runs_in_the_mode_of_the_published_workflow()
    {
        var test = await hub.NewAccountAsync(testMode: true);
        var live = await hub.OtherModeAdminAsync(test);
        var path = "modes-" + Guid.NewGuid().ToString("N")[..10];
        var id = await Publish(test, Flowchart(
            $"{Activity("http", "Elsa.HttpEndpoint", $"{Literal("path", path)}, \"customProperties\": {{ \"canStartWorkflow\": true }}")}, " +
            $"{Activity("say", "Elsa.WriteLine", Literal("text", "hi"))}",
            Link("http", "Done", "say")));
        // A live workflow cannot take the path over: paths are one namespace for the whole hub.
        var taken = await (await live.Http.PostAsync("/v1/workflows", Body(Flowchart(
            $"{Activity("http", "Elsa.HttpEndpoint", $"{Literal("path", path)}, \"customProperties\": {{ \"canStartWorkflow\": true }}")}")
            .Replace("\"definitionId\": \"d1\"", $"\"definitionId\": \"{id}\"")))).ExpectAsync(HttpStatusCode.Created);
        var conflict = await (await live.Http.PostAsync($"/v1/workflows/{(string)taken["definition_id"]!}/publish", null)).ExpectProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("(test mode)", (string)conflict["detail"]!);

        Assert.True((await hub.Anonymous().GetAsync($"/workflows/http/{path}")).IsSuccessStatusCode);
        var runs = (await (await test.Http.GetAsync($"/v1/workflow-runs?definition_id={id}")).ExpectAsync(HttpStatusCode.OK))["data"]!.AsArray();
        var run = Assert.Single(runs)!;
        Assert.True((bool)run["test_mode"]!);
        Assert.Equal("http", (string)run["trigger"]!);
        await (await live.Http.GetAsync($"/v1/workflow-runs/{run["id"]}")).ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty((await (await live.Http.GetAsync($"/v1/workflow-runs?definition_id={id}")).ExpectAsync(HttpStatusCode.OK))["data"]!.AsArray());
    }
}

public sealed class SqliteTestLiveSeparationTests(SqliteHub hub) : TestLiveSeparationTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresTestLiveSeparationTests(PostgresHub hub) : TestLiveSeparationTests(hub), IClassFixture<PostgresHub>;
