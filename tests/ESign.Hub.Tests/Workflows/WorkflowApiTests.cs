using System.Net;
using System.Text;
using ESign.Hub.Tests.Infrastructure;

namespace ESign.Hub.Tests.Workflows;

/// <summary>/v1/workflows: Elsa-shaped definitions saved as drafts, versioned, published only when valid, imported with a report.</summary>
public abstract class WorkflowApiTests(HubFactory hub)
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Valid(string definitionId) => ElsaSamples.Flowchart(
        $"{ElsaSamples.Activity("start", "Elsa.Start", "\"customProperties\": { \"canStartWorkflow\": true }")}, " +
        $"{ElsaSamples.Activity("log", "Elsa.WriteLine", ElsaSamples.Literal("text", "hello"))}, {ElsaSamples.Activity("end", "Elsa.End")}",
        $"{ElsaSamples.Link("start", "Done", "log")}, {ElsaSamples.Link("log", "Done", "end")}").Replace("\"definitionId\": \"d1\"", $"\"definitionId\": \"{definitionId}\"");

    [Fact]
    public async Task Drafts_are_versioned_and_only_a_valid_draft_publishes()
    {
        var account = await hub.NewAccountAsync();
        var id = "onboarding-" + Guid.NewGuid().ToString("N")[..8];

        // A dangling connection: saved as a draft with its problems, refused at publish with the activity named.
        var broken = Valid(id).Replace("\"target\": { \"activity\": \"end\"", "\"target\": { \"activity\": \"nowhere\"");
        var draft = await (await account.Http.PostAsync("/v1/workflows", Json(broken))).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("draft", (string)draft["status"]!);
        Assert.Equal(1, (int)draft["version"]!);
        Assert.NotEmpty(draft["problems"]!.AsArray());
        var refused = await (await account.Http.PostAsync($"/v1/workflows/{id}/publish", null)).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("nowhere", refused.ToJsonString());

        var fixedDraft = await (await account.Http.PutAsync($"/v1/workflows/{id}", Json(Valid(id)))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, (int)fixedDraft["version"]!);
        Assert.Empty(fixedDraft["problems"]!.AsArray());
        var published = await (await account.Http.PostAsync($"/v1/workflows/{id}/publish", null)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("published", (string)published["status"]!);
        await (await account.Http.PostAsync($"/v1/workflows/{id}/publish", null)).ExpectProblemAsync(HttpStatusCode.Conflict);

        // Changing a published workflow starts version 2; version 1 stays as it was.
        var next = await (await account.Http.PutAsync($"/v1/workflows/{id}", Json(Valid(id).Replace("hello", "bonjour")))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, (int)next["version"]!);
        Assert.Equal("draft", (string)next["status"]!);
        var first = await (await account.Http.GetAsync($"/v1/workflows/{id}?version=1")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("published", (string)first["status"]!);
        Assert.Contains("hello", first["definition"]!.ToJsonString());
        var list = await (await account.Http.GetAsync("/v1/workflows")).ExpectAsync(HttpStatusCode.OK);
        var summary = list["data"]!.AsArray().Single(w => (string)w!["definition_id"]! == id)!;
        Assert.Equal(2, (int)summary["latest_version"]!);
        Assert.Equal(1, (int)summary["published_version"]!);

        await (await account.Http.PostAsync("/v1/workflows", Json(Valid(id)))).ExpectProblemAsync(HttpStatusCode.Conflict);
        var stranger = await hub.NewAccountAsync();
        await (await stranger.Http.GetAsync($"/v1/workflows/{id}")).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Import_keeps_unknown_parts_and_reports_support_per_activity_and_expression()
    {
        var account = await hub.NewAccountAsync();
        var imported = await (await account.Http.PostAsync("/v1/workflows/import", Json(ElsaSamples.HttpApproval))).ExpectAsync(HttpStatusCode.OK);
        var report = imported["report"]!.AsArray();
        Assert.NotEmpty(report);
        Assert.All(report, r => Assert.Contains((string)r!["support"]!, new[] { "supported", "degraded", "unsupported" }));
        Assert.Contains(report, r => (string)r!["support"]! == "degraded"); // the Liquid expression
        var stored = await (await account.Http.GetAsync($"/v1/workflows/{imported["definition_id"]}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains("toolVersion", stored["definition"]!.ToJsonString()); // unknown properties survive
    }

    [Fact]
    public async Task An_imported_Elsa_export_publishes_and_runs_from_its_HTTP_trigger()
    {
        var account = await hub.NewAccountAsync();
        var imported = await (await account.Http.PostAsync("/v1/workflows/import", Json(ElsaSamples.HttpApproval))).ExpectAsync(HttpStatusCode.OK);
        var id = (string)imported["definition_id"]!;
        await (await account.Http.PostAsync($"/v1/workflows/{id}/publish", null)).ExpectAsync(HttpStatusCode.OK);

        // Elsa's JavaScript (getInput().amount, getAmount()) and Liquid ({{ Variables.Amount }}) run as written.
        var caller = hub.Anonymous();
        var large = await caller.PostAsync("/workflows/http/orders", Json("""{ "amount": 5000 }"""));
        Assert.Equal(HttpStatusCode.Accepted, large.StatusCode);
        Assert.Equal("Order of 5000 needs approval", await large.Content.ReadAsStringAsync());
        var small = await caller.PostAsync("/workflows/http/orders", Json("""{ "amount": 10 }"""));
        Assert.Equal(HttpStatusCode.Accepted, small.StatusCode); // no response written: the run's id and status
        Assert.Equal("completed", (string)(await small.ExpectAsync(HttpStatusCode.Accepted))["status"]!);
        var wrongMethod = await caller.GetAsync("/workflows/http/orders");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
    }

    [Fact]
    public async Task Validate_answers_without_saving_and_garbage_is_a_422_not_a_500()
    {
        var account = await hub.NewAccountAsync();
        var result = await (await account.Http.PostAsync("/v1/workflows/validate", Json(Valid("v-" + Guid.NewGuid().ToString("N")[..6])))).ExpectAsync(HttpStatusCode.OK);
        Assert.True((bool)result["valid"]!);
        foreach (var garbage in new[] { "{", "[]", "{\"root\": 5}", "null" })
        {
            var response = await account.Http.PostAsync("/v1/workflows", Json(garbage));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        }
        // Nothing was saved: the account has only the workflows shipped as files (workflows/*.json).
        var list = await (await account.Http.GetAsync("/v1/workflows")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["send-for-signature"], list["data"]!.AsArray().Select(w => (string)w!["definition_id"]!));
    }
}

public sealed class SqliteWorkflowApiTests(SqliteHub hub) : WorkflowApiTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresWorkflowApiTests(PostgresHub hub) : WorkflowApiTests(hub), IClassFixture<PostgresHub>;
