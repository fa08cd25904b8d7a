using System.Net;
using System.Text.Json.Nodes;
using ESign.Hub.Tests.Infrastructure;
using ESign.Hub.Workflows.Definitions;

namespace ESign.Hub.Tests.Workflows;

/// <summary>
/// Every definition of the shared Elsa corpus (../shared/elsa-corpus, read where it lies) imported through the API: each
/// saves as a draft and its report names exactly the activities and expressions that are degraded or unsupported. An
/// unsupported one keeps the draft from publishing, with the reason. Whether each file publishes and runs as Elsa would is
/// checked as the runtime semantics land.
/// </summary>
public abstract class ElsaCorpusTests(HubFactory hub)
{
    /// <summary>Per file, its report entries that are not "supported": "support activityId[.input] (type)".</summary>
    public static readonly IReadOnlyDictionary<string, string[]> ExpectedReports = new Dictionary<string, string[]>
    {
        ["elsa3/elsa-core__CacheInvalidation_Parent.json"] = [
            "unsupported b8fe7116016141f (CacheInvalidationChild)",
        ],
        ["elsa3/elsa-core__child-with-input.json"] = [],
        ["elsa3/elsa-core__child-with-outcomes.json"] = [],
        ["elsa3/elsa-core__child.json"] = [],
        ["elsa3/elsa-core__cron-every-hour.json"] = [],
        ["elsa3/elsa-core__fork-decision-join-waitall.json"] = [],
        ["elsa3/elsa-core__fork.json"] = [],
        ["elsa3/elsa-core__get-all-users-workflow.json"] = [
            "unsupported GetUsers1 (Demo.Reqres.GetUsers)",
        ],
        ["elsa3/elsa-core__implicit-loop.json"] = [],
        ["elsa3/elsa-core__instance-serialization.json"] = [],
        ["elsa3/elsa-core__join-active-branches-only.json"] = [],
        ["elsa3/elsa-core__join-all-2.json"] = [],
        ["elsa3/elsa-core__main.json"] = [
            "unsupported Sub1 (Sub)",
        ],
        ["elsa3/elsa-core__parallel-join.json"] = [],
        ["elsa3/elsa-core__parent-with-input.json"] = [],
        ["elsa3/elsa-core__parent-with-outcomes.json"] = [
            "unsupported ChildActivity1 (ChildWithOutcomes)",
        ],
        ["elsa3/elsa-core__parent.json"] = [
            "unsupported abcd6d3d391bfe10 (SubworkflowTest)",
        ],
        ["elsa3/elsa-core__sub.json"] = [],
        ["elsa3/elsa-core__timer-workflow.json"] = [],
        ["elsa3/elsa-core__triggers.json"] = [],
        ["elsa3/elsa-core__workflow4.json"] = [],
        ["elsa3/elsa-core__workflow5.json"] = [],
        ["elsa3/elsa-core__workflow6.json"] = [],
        ["elsa3/elsa-guides__child-workflow.json"] = [],
        ["elsa3/elsa-guides__create-and-publish-content.json"] = [
            "unsupported 19ae3a005965e501 (Elsa.Agents.Copywriter)",
            "unsupported 1da383e748fe9744 (Elsa.Agents.Translator)",
            "unsupported a45754ac9ad7dacd (Elsa.Agents.SocialMediaSpecialist)",
            "unsupported b371a6e1931e4267 (Elsa.Agents.SEOSpecialist)",
            "unsupported c0f64f9634a75a0d (Elsa.Agents.Artist)",
            "unsupported f5d2bb0700652901 (Elsa.Agents.Translator)",
        ],
        ["elsa3/elsa-guides__employee-onboarding.json"] = [],
        ["elsa3/elsa-guides__get-user.json"] = [
            "unsupported 47898b89878097e2.url (Elsa.FlowSendHttpRequest)",
            "unsupported 595a8892f09a15cd.value (Elsa.SetVariable)",
        ],
        ["elsa3/elsa-guides__parent-workflow.json"] = [],
        ["elsa3/elsa-guides__weatherforecast-workflow.json"] = [
            "degraded A3xxw4fyvkuphGrBdjSMSQ.content (Elsa.WriteHttpResponse)",
        ],
        ["elsa2/elsa-core__fire-protocol.json"] = [
            "degraded 21e9a4d0-e49f-46b4-9d0b-d96cf3d4fea1 (Elsa.Event)",
            "degraded 8611ce28-21ac-446a-a3eb-59f47a04fa8b (Elsa.Event)",
            "degraded c242e5dc-a4c8-4085-82aa-69d5aafc2e80.text (Elsa.WriteLine)",
        ],
        ["elsa2/elsa-core__guides-parent-child-workflows-scenario-3-parent.json"] = [
            "degraded a63f908f-ea65-442a-ad4f-70bb630c4c4e.content (Elsa.WriteHttpResponse)",
            "degraded b80e22fb-790e-44ef-a1ef-4688500f425c (Elsa.FlowFork)",
            "unsupported 267a9e63-5fc6-46b1-ad43-ba05b6a63c4f (RunWorkflow)",
            "unsupported 391aa5d8-c1cb-42b0-b141-0c6d1116e687 (RunWorkflow)",
            "unsupported dd51bee5-3109-40de-a20a-a4351738d449 (RunWorkflow)",
        ],
        ["elsa2/elsa-guides__HandleNewBlogPosts.workflow.json"] = [
            "degraded 40086034-095b-4e90-88cd-aa6a3e262d1d (Elsa.Event)",
            "degraded 6de2703c-e100-4965-8444-e323bb7df416.content (Elsa.WriteHttpResponse)",
            "degraded 82929f78-6f0a-4782-9a0d-7c507f62ef23.script (Elsa.RunJavaScript)",
            "degraded ac2afdb6-f506-4dd1-8cf3-7db01f287f22.content (Elsa.WriteHttpResponse)",
            "degraded fdd27e78-af16-4a8a-91d3-fb7a92855acb (Elsa.HttpEndpoint)",
        ],
        ["elsa2/elsa-guides__VisualDocumentApprovalWorkflow.json"] = [
            "degraded 008808a6-4f27-43b8-9060-cba89badf4bd.body (Elsa.SendEmail)",
            "degraded 008808a6-4f27-43b8-9060-cba89badf4bd.subject (Elsa.SendEmail)",
            "degraded 1e705927-4939-4d38-8b9f-ce2d454f52a1.body (Elsa.SendEmail)",
            "degraded 1e705927-4939-4d38-8b9f-ce2d454f52a1.subject (Elsa.SendEmail)",
            "degraded 61429f1e-0722-4134-8874-300667f4fca9.body (Elsa.SendEmail)",
            "degraded 61429f1e-0722-4134-8874-300667f4fca9.subject (Elsa.SendEmail)",
            "degraded 61429f1e-0722-4134-8874-300667f4fca9.to (Elsa.SendEmail)",
            "degraded 7ffbbc95-7fd5-41ef-b1cb-aa130fe56943.body (Elsa.SendEmail)",
            "degraded 7ffbbc95-7fd5-41ef-b1cb-aa130fe56943.subject (Elsa.SendEmail)",
            "degraded 7ffbbc95-7fd5-41ef-b1cb-aa130fe56943.to (Elsa.SendEmail)",
            "degraded 82b42b38-989a-4283-9dfb-6b247d5264ca (Elsa.Event)",
            "degraded c1025f0d-6c2e-47b5-bfeb-d54077bf640f (Elsa.Event)",
            "degraded df35dd12-61cf-4d2c-b7b6-758eff216998.value (Elsa.SetVariable)",
        ],
        ["elsa2/elsa-guides__identity-verification-workflow.json"] = [
            "degraded 18c182db-24e9-46b0-89a9-585158618505 (Elsa.Event)",
            "degraded 3aeb76f2-a5a9-4ea3-997d-6c48e95a85c1 (Elsa.Event)",
            "degraded a3af5017-cfa0-4e84-a1ab-0a5115929024 (Elsa.SendEmail)",
            "degraded a3af5017-cfa0-4e84-a1ab-0a5115929024.attachments (Elsa.SendEmail)",
            "degraded a3af5017-cfa0-4e84-a1ab-0a5115929024.body (Elsa.SendEmail)",
            "unsupported 0ce5023f-4027-4e00-b36c-027f09401b34 (GetDocument)",
            "unsupported 37bdc5f8-f8a7-4d12-90b3-e0c1df33399f (UpdateBlockchain)",
            "unsupported 68511869-bf02-4637-93cd-9642bdd31230 (GetDocument)",
            "unsupported b1a2b656-5764-44c3-b12e-a07b43363552 (ArchiveDocument)",
            "unsupported b2aa88de-e74f-4c83-acbe-c605a887f39d (GetDocument)",
        ],
        ["elsa2/elsa-guides__leave-request-workflow.json"] = [
            "degraded 18c182db-24e9-46b0-89a9-585158618505 (Elsa.Event)",
            "degraded 3aeb76f2-a5a9-4ea3-997d-6c48e95a85c1 (Elsa.Event)",
            "degraded a3af5017-cfa0-4e84-a1ab-0a5115929024 (Elsa.SendEmail)",
            "degraded a3af5017-cfa0-4e84-a1ab-0a5115929024.attachments (Elsa.SendEmail)",
            "degraded a3af5017-cfa0-4e84-a1ab-0a5115929024.body (Elsa.SendEmail)",
            "unsupported 0ce5023f-4027-4e00-b36c-027f09401b34 (GetDocument)",
            "unsupported 748cd0cb-cc20-46ba-81d1-d7120bd17fbe (GetDocument)",
            "unsupported b1a2b656-5764-44c3-b12e-a07b43363552 (ArchiveDocument)",
        ],
        ["elsa2/elsa-guides__ship-order.json"] = [
            "degraded 3262109e-9918-4e7c-a5c8-136f67d18da6.condition (Elsa.FlowDecision)",
            "degraded 3f803bbc-2686-4e66-a94d-a6644f0c9423.script (Elsa.RunJavaScript)",
            "degraded 8598b70f-6ec9-4a85-8fa9-634ce9bd0294.content (Elsa.WriteHttpResponse)",
            "degraded 9be7e547-af2b-47b3-8eb5-1cbfb9f663d6.content (Elsa.WriteHttpResponse)",
            "unsupported 3ca04177-e6fe-4fa1-b4e7-04492230b5aa (SetContextId)",
        ],
        ["elsa2/elsa-guides__traffic-light-state-machine.json"] = [
            "unsupported 29d5aa7b-1e44-40b2-8c39-44957dab88c7 (State)",
            "unsupported 652b3988-882a-40a6-acbe-e85c8112fc87 (State)",
            "unsupported 82c8fda7-09ff-4a85-a2bc-5f85e4b93eba (State)",
            "unsupported a652e875-ad03-4a4a-9703-1953fcc7a3ff (State)",
        ],
    };

    public static TheoryData<string> CorpusFiles() => [.. ExpectedReports.Keys];

    public static TheoryData<string> Elsa3Files() => [.. ElsaCorpus.Files("elsa3")];

    [Fact]
    public void The_expectations_cover_every_corpus_file()
    {
        var files = ElsaCorpus.Files("elsa3").Select(f => "elsa3/" + f).Concat(ElsaCorpus.Files("elsa2").Select(f => "elsa2/" + f));
        Assert.Equal(files.Order(StringComparer.Ordinal), ExpectedReports.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Elsa3Files))]
    public void Every_Elsa_3_file_reads_and_round_trips_what_it_does_not_model(string file)
    {
        var json = ElsaCorpus.Read("elsa3", file);

        var result = WorkflowDefinitionReader.Read(json);

        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
        var original = JsonNode.Parse(json)!;
        var written = JsonNode.Parse(WorkflowDefinitionWriter.Write(result.Definition!))!;
        // The writer puts 3.0 pre-release connections ("source": "id", "sourcePort") in the current shape; nothing else changes.
        foreach (var connection in original["root"]!["connections"]!.AsArray().OfType<JsonObject>().Where(c => c["source"] is JsonValue))
        {
            connection["source"] = new JsonObject { ["activity"] = connection["source"]!.DeepClone(), ["port"] = connection["sourcePort"]?.DeepClone() ?? "Done" };
            connection["target"] = new JsonObject { ["activity"] = connection["target"]!.DeepClone(), ["port"] = connection["targetPort"]?.DeepClone() ?? "In" };
            connection.Remove("sourcePort");
            connection.Remove("targetPort");
        }
        Assert.True(JsonNode.DeepEquals(original, written), $"{file} did not round-trip:\n{written.ToJsonString()}");
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public async Task Every_corpus_file_imports_as_a_draft_with_its_report(string file)
    {
        var account = await hub.NewAccountAsync();
        var (version, name) = (file[..5], file[6..]);
        var body = new ByteArrayContent(ElsaCorpus.Bytes(version, name)); // as published, byte order mark included
        body.Headers.ContentType = new("application/json");

        var imported = await (await account.Http.PostAsync("/v1/workflows/import", body)).ExpectAsync(HttpStatusCode.OK);

        var report = imported["report"]!.AsArray();
        var notSupported = report.Where(e => (string)e!["support"]! != "supported")
            .Select(e => $"{e!["support"]} {e["activity_id"]}{(e["input"] is { } input ? "." + input : "")} ({e["type"]})")
            .Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(ExpectedReports[file], notSupported);
        Assert.All(report, e => Assert.False(string.IsNullOrWhiteSpace((string?)e!["note"]) && (string)e["support"]! != "supported"));

        var id = (string)imported["definition_id"]!;
        var stored = await (await account.Http.GetAsync($"/v1/workflows/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("draft", (string)stored["status"]!);
        Assert.Equal("Elsa.Flowchart", (string)stored["definition"]!["root"]!["type"]!);

        // Unsupported activities and expressions are kept as they came and keep the draft from publishing, with the reason.
        var unsupported = report.Where(e => (string)e!["support"]! == "unsupported").ToList();
        var activities = stored["definition"]!["root"]!["activities"]!.AsArray();
        foreach (var entry in unsupported.Where(e => e!["input"] is null))
            Assert.Contains(activities, a => (string)a!["id"]! == (string)entry!["activity_id"]! && (string)a["type"]! == (string)entry["type"]!);
        if (unsupported.Count == 0) return;
        var problems = imported["problems"]!.AsArray().Select(p => (string)p!["message"]!).ToList();
        foreach (var entry in unsupported)
            Assert.Contains(problems, p => p.Contains($"'{entry!["activity_id"]}'", StringComparison.Ordinal) && p.Contains("cannot be published", StringComparison.Ordinal));
        var refused = await (await account.Http.PostAsync($"/v1/workflows/{id}/publish", null)).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("cannot be published", refused.ToJsonString());
    }
}

public sealed class SqliteElsaCorpusTests(SqliteHub hub) : ElsaCorpusTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresElsaCorpusTests(PostgresHub hub) : ElsaCorpusTests(hub), IClassFixture<PostgresHub>;
