using System.Net;
using ESign.Hub.Tests.Infrastructure;
using static ESign.Hub.Tests.Workflows.ElsaSamples;
using static ESign.Hub.Tests.Workflows.WorkflowRunTests;

namespace ESign.Hub.Tests.Workflows;

/// <summary>
/// Anonymous workflow HTTP triggers have buckets of their own per client and per path: a flood at one path is cut off
/// with 429 and Retry-After and starts no more runs than were let through, and the client's bucket limits it across paths.
/// </summary>
public sealed class HttpTriggerRateLimitTests(HttpTriggerRateLimitTests.LowTriggerLimitsHub hub) : IClassFixture<HttpTriggerRateLimitTests.LowTriggerLimitsHub>
{
    /// <summary>One request per second per path (bursts of 2), two per client (bursts of 4).</summary>
    public sealed class LowTriggerLimitsHub() : HubFactory(Database.Sqlite)
    {
        protected override Dictionary<string, string?> Settings => new()
        {
            ["Hub:RateLimit:AnonymousTrigger:PermitsPerSecondPerPath"] = "1",
            ["Hub:RateLimit:AnonymousTrigger:PermitsPerSecondPerClient"] = "2",
        };
    }

    [Fact]
    public async Task A_flood_at_a_trigger_is_cut_off_per_path_and_per_client()
    {
        var account = await hub.NewAccountAsync();
        var paths = new[] { "b", "a", "c" }.Select(p => $"{p}-{Guid.NewGuid():N}"[..14]).ToArray();
        var ids = new List<string>();
        foreach (var path in paths) ids.Add(await Publish(account, Trigger(path)));
        var anonymous = hub.Anonymous();

        // Path B's burst of 2 is spent; the client has 2 of its 4 left.
        var atB = await FloodAsync(anonymous, paths[0], 2);
        // Path A has a bucket of its own, so it still takes requests, until the client's bucket is spent.
        var atA = await FloodAsync(anonymous, paths[1], 6);
        // Path C's bucket is full, but this client's is empty: refused all the same (a token may have refilled meanwhile).
        var atC = await FloodAsync(anonymous, paths[2], 3);

        Assert.Equal((2, 0), atB);
        Assert.InRange(atA.Accepted, 2, 3);
        Assert.InRange(atC.Accepted, 0, 1);
        Assert.True(atC.Refused >= 2, $"path C refused {atC.Refused}");
        // Refused requests start nothing.
        Assert.Equal(atB.Accepted, (await RunsOf(account, ids[0])).Count);
        Assert.Equal(atA.Accepted, (await RunsOf(account, ids[1])).Count);
        Assert.Equal(atC.Accepted, (await RunsOf(account, ids[2])).Count);
    }

    [Fact]
    public async Task Spellings_of_one_trigger_path_share_its_bucket()
    {
        var account = await hub.NewAccountAsync();
        var path = $"same-{Guid.NewGuid():N}"[..14];
        await Publish(account, Trigger(path));
        var anonymous = hub.Anonymous();
        await Task.Delay(2100); // the client's bucket refills from the other test

        var accepted = 0;
        foreach (var spelling in new[] { path, path + "/", path + "//", path.ToUpperInvariant() })
        {
            var response = await anonymous.PostAsync($"/workflows/http/{spelling}", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
            if (response.StatusCode == HttpStatusCode.OK) accepted++;
        }

        Assert.InRange(accepted, 2, 3);
    }

    private static string Trigger(string path) => Flowchart(
        $"{Activity("http", "Elsa.HttpEndpoint", $"{Literal("path", path)}, \"customProperties\": {{ \"canStartWorkflow\": true }}, " +
            "\"supportedMethods\": { \"typeName\": \"String[]\", \"expression\": { \"type\": \"Object\", \"value\": \"[\\\"POST\\\"]\" } }")}, " +
        $"{Activity("respond", "Elsa.WriteHttpResponse", Literal("content", "ok"))}",
        Link("http", "Done", "respond"));

    private static async Task<(int Accepted, int Refused)> FloodAsync(HttpClient client, string path, int requests)
    {
        var (accepted, refused) = (0, 0);
        for (var i = 0; i < requests; i++)
        {
            var response = await client.PostAsync($"/workflows/http/{path}", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var problem = await response.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
                Assert.Contains("per path", (string)problem["detail"]!); // the detail names both buckets
                Assert.True(response.Headers.RetryAfter is not null, "a 429 says when to retry");
                refused++;
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                accepted++;
            }
        }
        return (accepted, refused);
    }

    private static async Task<System.Text.Json.Nodes.JsonArray> RunsOf(HubClient account, string definitionId) =>
        (await (await account.Http.GetAsync($"/v1/workflow-runs?definition_id={definitionId}&limit=100")).ExpectAsync(HttpStatusCode.OK))["data"]!.AsArray();
}
