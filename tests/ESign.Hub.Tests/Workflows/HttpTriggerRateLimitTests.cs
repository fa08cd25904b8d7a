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
        var (first, second) = ($"flood-{Guid.NewGuid():N}"[..18], $"other-{Guid.NewGuid():N}"[..18]);
        var firstId = await Publish(account, Trigger(first));
        var secondId = await Publish(account, Trigger(second));
        var anonymous = hub.Anonymous();

        var atFirst = await FloodAsync(anonymous, first, 6);
        var atSecond = await FloodAsync(anonymous, second, 6);

        // The path's burst of 2 (a third token may refill while the requests run); the rest are refused with Retry-After.
        Assert.InRange(atFirst.Accepted, 2, 3);
        Assert.InRange(atFirst.Refused, 3, 4);
        // Another path has a bucket of its own, so it takes requests again, until the client's burst of 4 is spent.
        Assert.InRange(atSecond.Accepted, 2, 3);
        Assert.InRange(atSecond.Refused, 3, 4);
        Assert.Equal(atFirst.Accepted, (await RunsOf(account, firstId)).Count);
        Assert.Equal(atSecond.Accepted, (await RunsOf(account, secondId)).Count);
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
                Assert.Contains("per path", (string)problem["detail"]!);
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
