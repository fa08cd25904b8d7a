using System.Net;
using System.Text;
using ESign.Hub.Tests.Infrastructure;
using static ESign.Hub.Tests.Workflows.ElsaSamples;
using static ESign.Hub.Tests.Workflows.WorkflowRunTests;

namespace ESign.Hub.Tests.Api;

/// <summary>
/// JSON that parses but that the hub cannot hold — a number beyond a double (<c>1e400</c>), a lone UTF-16 surrogate
/// (<c>"\ud800"</c>), a NUL character, ids that cannot travel in a URL or a header — gets a 4xx problem on every endpoint
/// that takes JSON, never a 500, and changes nothing stored. These were 500s on the workflow endpoints.
/// </summary>
public abstract class JsonEdgeCaseTests(HubFactory hub)
{
    private const string Huge = "1e400";
    private const string Lone = "\"\\ud800\"";
    private const string Nul = "\"a\\u0000b\"";

    public static TheoryData<string, string, string> Bodies()
    {
        var data = new TheoryData<string, string, string>();
        // Free-form JSON: every kind of value the hub cannot hold.
        foreach (var bad in new[] { Huge, Lone, Nul })
        {
            data.Add("run input", "POST /v1/workflows/WF/runs", $$"""{ "input": { "a": {{bad}} } }""");
            data.Add("run input, nested", "POST /v1/workflows/WF/runs", $$"""{ "input": { "a": [1, { "b": {{bad}} }] } }""");
            data.Add("event payload", "POST /v1/workflow-events", $$"""{ "name": "edge", "payload": { "a": {{bad}} } }""");
            data.Add("HTTP trigger body", "POST /workflows/http/PATH", $$"""{ "a": {{bad}} }""");
            data.Add("generation data", "POST /v1/documents/generate", $$"""{ "template_id": "TPL", "data": { "name": {{bad}} } }""");
            data.Add("template preview data", "POST /v1/templates/TPL/preview", $$"""{ "data": { "name": {{bad}} } }""");
        }
        // Text fields: strings that no text column or UTF-8 response can carry.
        foreach (var bad in new[] { Lone, Nul })
        {
            data.Add("signature request title", "POST /v1/signature-requests",
                $$"""{ "document_id": "DOC", "title": {{bad}}, "signers": [{ "name": "A", "email": "a@example.com" }] }""");
            data.Add("signature request metadata", "POST /v1/signature-requests",
                $$"""{ "document_id": "DOC", "title": "t", "signers": [{ "name": "A", "email": "a@example.com" }], "metadata": { "k": {{bad}} } }""");
            data.Add("signature request metadata key", "POST /v1/signature-requests",
                $$"""{ "document_id": "DOC", "title": "t", "signers": [{ "name": "A", "email": "a@example.com" }], "metadata": { {{bad}}: "v" } }""");
            data.Add("signer name", "POST /v1/signature-requests",
                $$"""{ "document_id": "DOC", "title": "t", "signers": [{ "name": {{bad}}, "email": "a@example.com" }] }""");
            data.Add("API key name", "POST /v1/api-keys", $$"""{ "name": {{bad}}, "scopes": ["documents:read"] }""");
            data.Add("document name", "POST /v1/documents", $$"""{ "name": {{bad}}, "content_base64": "PDF" }""");
            data.Add("account name", "PATCH /v1/account", $$"""{ "name": {{bad}} }""");
            data.Add("event name", "POST /v1/workflow-events", $$"""{ "name": {{bad}} }""");
        }
        foreach (var path in new[] { "POST /v1/workflows", "POST /v1/workflows/validate", "POST /v1/workflows/import" })
        {
            data.Add("workflow name, lone surrogate", path, Flowchart(Activity("start", "Elsa.Start")).Replace("\"test\"", Lone));
            data.Add("workflow variable, huge number", path, Flowchart(Activity("start", "Elsa.Start")).Replace("\"version\": 1, \"variables\"", $"\"version\": {Huge}, \"variables\""));
            foreach (var id in new[] { "", "café-1", "a/b", "a\\u0000b", "a\\r\\nb", "-leading", new string('x', 101) })
                data.Add($"definition id '{id[..Math.Min(id.Length, 12)]}'", path, Flowchart(Activity("start", "Elsa.Start")).Replace("\"d1\"", $"\"{id}\""));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Json_the_hub_cannot_hold_is_a_4xx_problem_and_changes_nothing(string what, string route, string body)
    {
        var account = await hub.NewAccountAsync();
        var documentId = await account.Http.UploadPdfAsync();
        var templateId = (string)(await (await account.Http.PostJsonAsync("/v1/templates", new
        {
            name = "Edge", kind = "html", content = "<p>{{ name }}</p>", roles = new[] { "signer" },
        })).ExpectAsync(HttpStatusCode.Created))["id"]!;
        var path = "edge-" + Guid.NewGuid().ToString("N")[..10];
        var workflowId = await Publish(account.Http, Flowchart(
            $"{Activity("hook", "Elsa.HttpEndpoint", $"{Literal("path", path)}, \"customProperties\": {{ \"canStartWorkflow\": true }}, {Prop("supportedMethods", "{ \"typeName\": \"String[]\", \"expression\": { \"type\": \"Object\", \"value\": \"[\\\"POST\\\"]\" } }")}")}, " +
            $"{Activity("wait", "Elsa.Event", Literal("eventName", "edge"))}, {Activity("end", "Elsa.End")}",
            $"{Link("hook", "Done", "wait")}, {Link("wait", "Done", "end")}"));
        var before = await SnapshotAsync(account, workflowId);

        var (method, target) = (route.Split(' ')[0], route.Split(' ')[1]
            .Replace("WF", workflowId).Replace("PATH", path).Replace("TPL", templateId));
        var content = body.Replace("\"DOC\"", $"\"{documentId}\"").Replace("\"TPL\"", $"\"{templateId}\"")
            .Replace("\"PDF\"", $"\"{Convert.ToBase64String(TestPdfs.Letter())}\"");
        var client = target.StartsWith("/workflows/http/", StringComparison.Ordinal) ? hub.Anonymous() : account.Http;
        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), target)
        {
            Content = new StringContent(content, Encoding.UTF8, "application/json"),
        });

        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{what}: expected a 4xx, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        await response.ExpectProblemAsync(response.StatusCode);
        Assert.Equal(before, await SnapshotAsync(account, workflowId));
    }

    /// <summary>What an account holds that these requests could change: its workflows, runs, requests and account name.</summary>
    private static async Task<string> SnapshotAsync(HubClient account, string workflowId)
    {
        var parts = new List<string>();
        foreach (var get in new[] { "/v1/workflows", "/v1/workflow-runs?limit=100", "/v1/signature-requests?limit=100", "/v1/api-keys", "/v1/account" })
        {
            var node = await (await account.Http.GetAsync(get)).ExpectAsync(HttpStatusCode.OK);
            parts.Add(node.ToJsonString());
        }
        parts.Add((await (await account.Http.GetAsync($"/v1/workflows/{workflowId}")).ExpectAsync(HttpStatusCode.OK)).ToJsonString());
        return string.Join("\n", parts);
    }
}

public sealed class SqliteJsonEdgeCaseTests(SqliteHub hub) : JsonEdgeCaseTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresJsonEdgeCaseTests(PostgresHub hub) : JsonEdgeCaseTests(hub), IClassFixture<PostgresHub>;
