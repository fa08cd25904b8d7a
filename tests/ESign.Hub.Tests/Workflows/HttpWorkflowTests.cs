using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ESign.Hub.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static ESign.Hub.Tests.Workflows.ElsaSamples;
using static ESign.Hub.Tests.Workflows.WorkflowRunTests;

namespace ESign.Hub.Tests.Workflows;

/// <summary>
/// HTTP in workflows — the /workflows/http trigger with Elsa.WriteHttpResponse, and Elsa.FlowSendHttpRequest with its
/// ports, retries and SSRF guard — and the other Elsa activities around them: FlowSwitch, RunJavaScript outcomes,
/// PublishEvent, Finish, Timer and Cron triggers, and the script sandbox seen through a run.
/// </summary>
public abstract class HttpWorkflowTests(HubFactory hub)
{
    private static string UniquePath(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private static string Trigger(string id, string path, string methods = "[\\\"POST\\\"]") => Activity(id, "Elsa.HttpEndpoint",
        $"{Literal("path", path)}, {Prop("supportedMethods", $"{{ \"typeName\": \"String[]\", \"expression\": {{ \"type\": \"Object\", \"value\": \"{methods}\" }} }}")}, " +
        "\"customProperties\": { \"canStartWorkflow\": true }");

    private static string Object(string name, string json) =>
        $"\"{name}\": {{ \"typeName\": \"Object\", \"expression\": {{ \"type\": \"Object\", \"value\": {System.Text.Json.JsonSerializer.Serialize(json)} }} }}";

    private static string RetryPolicy(int maxAttempts, double initialDelay = 1) =>
        $"\"customProperties\": {{ \"retryPolicy\": {{ \"maxAttempts\": {maxAttempts}, \"initialDelay\": {initialDelay.ToString(System.Globalization.CultureInfo.InvariantCulture)}, \"backoffCoefficient\": 1 }} }}";

    private static async Task<JsonArray> Runs(HubClient account, string definitionId) =>
        (await (await account.Http.GetAsync($"/v1/workflow-runs?definition_id={definitionId}&limit=100")).ExpectAsync(HttpStatusCode.OK))["data"]!.AsArray();

    private static IEnumerable<string> Ids(JsonNode run) => run["journal"]!.AsArray().Select(e => (string)e!["activity_id"]!);

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task An_anonymous_request_starts_the_workflow_and_gets_the_response_it_wrote()
    {
        var account = await hub.NewAccountAsync();
        var path = UniquePath("orders");
        var id = await Publish(account, Flowchart(
            $"{Trigger("http", path)}, " +
            $"{Activity("respond", "Elsa.WriteHttpResponse", $"{Literal("statusCode", "Created")}, " +
                $"{Js("content", "({ order: getOutputFrom('http', 'result').order, lines: getOutputFrom('http', 'result').items.length })")}, " +
                $"{Js("responseHeaders", "({ 'X-Order': getOutputFrom('http', 'result').order })")}")}",
            Link("http", "Done", "respond")));

        var caller = hub.Anonymous();
        caller.DefaultRequestHeaders.Add("X-Api-Key", "caller-key-123");
        caller.DefaultRequestHeaders.Add("Authorization", "Bearer caller-token-456");
        var response = await caller.PostAsync($"/workflows/http/{path}", JsonBody("""{ "order": "SO-9", "items": [1, 2, 3] }"""));
        var body = await response.ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("SO-9", (string)body["order"]!);
        Assert.Equal(3, (int)body["lines"]!);
        Assert.Equal("SO-9", response.Headers.GetValues("X-Order").Single());

        // The path is matched however it is written; the body became the trigger's 'result' output.
        var second = await hub.Anonymous().PostAsync($"/workflows/http/{path.ToUpperInvariant()}/", JsonBody("""{ "order": "SO-10", "items": [] }"""));
        Assert.Equal(0, (int)(await second.ExpectAsync(HttpStatusCode.Created))["lines"]!);
        var runs = await Runs(account, id);
        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.Equal(("http", "completed"), ((string)r!["trigger"]!, (string)r["status"]!)));
        var first = await Get(account, (string)runs.Last()!["id"]!);
        var trigger = first["journal"]![0]!["outputs"]!;
        Assert.Equal("SO-9", (string)trigger["result"]!["order"]!);
        Assert.Equal("POST", (string)trigger["method"]!);
        // The caller's credentials are not kept in the run.
        Assert.DoesNotContain("caller-key-123", first.ToJsonString());
        Assert.DoesNotContain("caller-token-456", first.ToJsonString());
    }

    [Fact]
    public async Task A_response_has_the_status_content_and_type_the_workflow_chose_and_a_run_without_one_answers_202_or_500()
    {
        var account = await hub.NewAccountAsync();
        var (csv, quiet, broken) = (UniquePath("report"), UniquePath("quiet"), UniquePath("broken"));
        await Publish(account, Flowchart(
            $"{Trigger("http", csv, "[\\\"GET\\\"]")}, " +
            $"{Activity("respond", "Elsa.WriteHttpResponse", $"{Literal("statusCode", "202")}, {Js("content", "'order,total\\nSO-1,' + (getOutputFrom('http', 'query').total || 0)")}, {Literal("contentType", "text/csv")}")}",
            Link("http", "Done", "respond")));
        await Publish(account, Flowchart(
            $"{Trigger("http", quiet)}, {Activity("wait", "Elsa.Event", Literal("eventName", "later"))}", Link("http", "Done", "wait")));
        await Publish(account, Flowchart(
            $"{Trigger("http", broken)}, {Activity("check", "Elsa.RunJavaScript", Literal("script", "throw new Error('secret internals')"))}",
            Link("http", "Done", "check")));

        var report = await hub.Anonymous().GetAsync($"/workflows/http/{csv}?total=12");
        Assert.Equal(HttpStatusCode.Accepted, report.StatusCode);
        Assert.Equal("text/csv", report.Content.Headers.ContentType?.MediaType);
        Assert.Equal("order,total\nSO-1,12", await report.Content.ReadAsStringAsync());

        // No response written: the run is still going, and the caller learns its id.
        var accepted = await (await hub.Anonymous().PostAsync($"/workflows/http/{quiet}", JsonBody("{}"))).ExpectAsync(HttpStatusCode.Accepted);
        Assert.Equal("suspended", (string)accepted["status"]!);
        Assert.Equal("suspended", (string)(await Get(account, (string)accepted["run_id"]!))["status"]!);

        // A faulted run is a 500 that names the run for its owner, not the error.
        var faulted = await (await hub.Anonymous().PostAsync($"/workflows/http/{broken}", JsonBody("{}"))).ExpectProblemAsync(HttpStatusCode.InternalServerError);
        Assert.DoesNotContain("secret internals", faulted.ToJsonString());
        Assert.Contains("wfr_", (string)faulted["detail"]!);
    }

    [Fact]
    public async Task Each_request_to_a_waiting_run_gets_the_response_written_after_it_not_an_earlier_one()
    {
        var account = await hub.NewAccountAsync();
        var (order, approve, ship) = (UniquePath("order"), UniquePath("approve"), UniquePath("ship"));
        await Publish(account, Flowchart(
            $"{Trigger("http", order)}, {Activity("received", "Elsa.WriteHttpResponse", $"{Literal("statusCode", "201")}, {Literal("content", "received")}")}, " +
            $"{Activity("approval", "Elsa.HttpEndpoint", $"{Literal("path", approve)}, {Object("supportedMethods", "[\"POST\"]")}")}, " +
            $"{Activity("approved", "Elsa.WriteHttpResponse", Js("content", "'approved by ' + getOutputFrom('approval', 'result').by"))}, " +
            $"{Activity("shipping", "Elsa.HttpEndpoint", $"{Literal("path", ship)}, {Object("supportedMethods", "[\"POST\"]")}")}, " +
            $"{Activity("log", "Elsa.WriteLine", Literal("text", "shipped"))}",
            $"{Link("http", "Done", "received")}, {Link("received", "Done", "approval")}, {Link("approval", "Done", "approved")}, " +
            $"{Link("approved", "Done", "shipping")}, {Link("shipping", "Done", "log")}"));
        var anonymous = hub.Anonymous();

        var first = await anonymous.PostAsync($"/workflows/http/{order}", JsonBody("{}"));
        Assert.Equal((HttpStatusCode.Created, "received"), (first.StatusCode, await first.Content.ReadAsStringAsync()));
        // A waiting endpoint accepts only its methods: a link checker's GET does not approve, and learns no more than at a
        // path nobody answers (waiting paths are not published, so they cannot be found by probing).
        var probe = await (await anonymous.GetAsync($"/workflows/http/{approve}")).ExpectProblemAsync(HttpStatusCode.NotFound);
        var nobody = await (await anonymous.GetAsync($"/workflows/http/{approve}-x")).ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(((string)nobody["detail"]!).Replace("-x", ""), (string)probe["detail"]!);
        Assert.False(probe.AsObject().ContainsKey("allow"));
        var second = await anonymous.PostAsync($"/workflows/http/{approve}", JsonBody("""{ "by": "ada" }"""));
        Assert.Equal((HttpStatusCode.OK, "approved by ada"), (second.StatusCode, await second.Content.ReadAsStringAsync()));

        // Nothing answers the third request: it learns the run's id, not the answer given to the second.
        var third = await (await anonymous.PostAsync($"/workflows/http/{ship}", JsonBody("{}"))).ExpectAsync(HttpStatusCode.Accepted);
        Assert.Equal("completed", (string)third["status"]!);
        Assert.Equal("completed", (string)(await Get(account, (string)third["run_id"]!))["status"]!);
    }

    [Fact]
    public async Task A_workflow_answer_is_served_sandboxed_with_only_allowed_headers()
    {
        var account = await hub.NewAccountAsync();
        var path = UniquePath("page");
        await Publish(account, Flowchart(
            $"{Trigger("http", path)}, " +
            $"{Activity("respond", "Elsa.WriteHttpResponse", $"{Literal("content", "<script>document.cookie</script><h1>hi</h1>")}, {Literal("contentType", "text/html")}, " +
            $"{Js("responseHeaders", "({ 'Set-Cookie': 'session=evil; Path=/', 'Content-Security-Policy': 'default-src *', 'X-Frame-Options': 'ALLOWALL', " +
                "'Location': 'https://evil.example/', 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store', 'X-Order': 'SO-1' })")}")}",
            Link("http", "Done", "respond")));

        var response = await hub.Anonymous().PostAsync($"/workflows/http/{path}", JsonBody("{}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("sandbox", csp);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Null(response.Headers.Location);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("SO-1", response.Headers.GetValues("X-Order").Single());
    }

    [Fact]
    public async Task Requests_the_trigger_does_not_accept_are_problems_and_start_nothing()
    {
        var account = await hub.NewAccountAsync();
        var path = UniquePath("intake");
        var id = await Publish(account, Flowchart(
            $"{Trigger("http", path)}, {Activity("respond", "Elsa.WriteHttpResponse", Literal("content", "ok"))}", Link("http", "Done", "respond")));
        var anonymous = hub.Anonymous();

        var wrongMethod = await (await anonymous.GetAsync($"/workflows/http/{path}")).ExpectProblemAsync(HttpStatusCode.MethodNotAllowed);
        Assert.Contains("POST", (string)wrongMethod["detail"]!);
        await (await anonymous.PostAsync($"/workflows/http/{path}-nope", JsonBody("{}"))).ExpectProblemAsync(HttpStatusCode.NotFound);
        var tooLarge = $"{{ \"blob\": \"{new string('x', ESign.Hub.Workflows.Runs.HttpTriggerEndpoint.MaxBodyBytes)}\" }}";
        await (await anonymous.PostAsync($"/workflows/http/{path}", JsonBody(tooLarge))).ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        var notJson = await (await anonymous.PostAsync($"/workflows/http/{path}", JsonBody("{ \"order\": "))).ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("JSON", (string)notJson["detail"]!);
        Assert.Empty(await Runs(account, id));

        // Text that is not JSON is passed on as text.
        Assert.Equal("ok", await (await anonymous.PostAsync($"/workflows/http/{path}", new StringContent("plain words"))).Content.ReadAsStringAsync());
        var run = await Get(account, (string)Assert.Single(await Runs(account, id))!["id"]!);
        Assert.Equal("plain words", (string)run["journal"]![0]!["outputs"]!["result"]!);
    }

    [Fact]
    public async Task A_path_another_published_workflow_answers_at_cannot_be_published_again()
    {
        var account = await hub.NewAccountAsync();
        var path = UniquePath("claims");
        var owner = await Publish(account, Flowchart(Trigger("http", path)));
        string Definition(string definitionId, string at) =>
            Flowchart(Trigger("http", at)).Replace("\"definitionId\": \"d1\"", $"\"definitionId\": \"{definitionId}\"");

        var mine = "wf-" + Guid.NewGuid().ToString("N")[..10];
        await (await account.Http.PostAsync("/v1/workflows", Body(Definition(mine, $"/{path.ToUpperInvariant()}/")))).ExpectAsync(HttpStatusCode.Created);
        var conflict = await (await account.Http.PostAsync($"/v1/workflows/{mine}/publish", null)).ExpectProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains(owner, (string)conflict["detail"]!);

        var stranger = await hub.NewAccountAsync();
        var theirs = "wf-" + Guid.NewGuid().ToString("N")[..10];
        await (await stranger.Http.PostAsync("/v1/workflows", Body(Definition(theirs, path)))).ExpectAsync(HttpStatusCode.Created);
        var foreign = await (await stranger.Http.PostAsync($"/v1/workflows/{theirs}/publish", null)).ExpectProblemAsync(HttpStatusCode.Conflict);
        Assert.DoesNotContain(owner, (string)foreign["detail"]!);

        // A new version of the owner keeps its path.
        await (await account.Http.PutAsync($"/v1/workflows/{owner}", Body(Definition(owner, path)))).ExpectAsync(HttpStatusCode.OK);
        await (await account.Http.PostAsync($"/v1/workflows/{owner}/publish", null)).ExpectAsync(HttpStatusCode.OK);
    }

    /// <summary>Start → call (url from the input) → one activity per port, each recording which port it was.</summary>
    internal static string CallWorkflow(string callExtra = "") => Flowchart(
        $"{Activity("start", "Elsa.Start")}, " +
        $"{Activity("call", "Elsa.FlowSendHttpRequest", $"{Js("url", "getInput('url')")}, {Literal("method", "POST")}, " +
            $"{Js("content", "({ order: 'SO-1' })")}, {Object("expectedStatusCodes", "[200, 404]")}{callExtra}")}, " +
        $"{Activity("found", "Elsa.SetVariable", $"{Prop("variable", "{ \"name\": \"Result\" }")}, {Js("value", "'found ' + getOutputFrom('call', 'responseContent').path")}")}, " +
        $"{Activity("missing", "Elsa.SetVariable", $"{Prop("variable", "{ \"name\": \"Result\" }")}, {Literal("value", "missing")}")}, " +
        $"{Activity("other", "Elsa.SetVariable", $"{Prop("variable", "{ \"name\": \"Result\" }")}, {Js("value", "'unmatched ' + getOutputFrom('call', 'statusCode')")}")}, " +
        $"{Activity("unreachable", "Elsa.SetVariable", $"{Prop("variable", "{ \"name\": \"Result\" }")}, {Js("value", "'unreachable: ' + getOutputFrom('call', 'error')")}")}",
        $"{Link("start", "Done", "call")}, {Link("call", "200", "found")}, {Link("call", "404", "missing")}, {Link("call", "Unmatched status code", "other")}, " +
        $"{Link("call", "Failed to connect", "unreachable")}");

    [Fact]
    public async Task A_request_continues_through_the_port_of_its_status_code()
    {
        await using var api = new ScriptedApi();
        api.Answer("/orders/1", 200);
        api.Answer("/orders/2", 404);
        api.Answer("/orders/3", 418);
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, CallWorkflow());

        async Task<string> ResultFor(string path) => (string)(await Run(account, id, $$"""{ "url": "{{api.Url(path)}}" }"""))["variables"]!["Result"]!;
        Assert.Equal("found /orders/1", await ResultFor("/orders/1"));
        Assert.Equal("missing", await ResultFor("/orders/2"));
        Assert.Equal("unmatched 418", await ResultFor("/orders/3"));

        var received = api.Received.First(r => r.Path == "/orders/1");
        Assert.Equal("POST", received.Method);
        Assert.Equal("application/json", received.ContentType?.Split(';')[0]);
        Assert.Equal("SO-1", (string)JsonNode.Parse(received.Body)!["order"]!);
        Assert.Equal(3, api.Received.Count);
    }

    [Fact]
    public async Task Server_errors_and_refused_connections_are_retried_with_the_activity_retry_policy_then_take_their_port()
    {
        await using var api = new ScriptedApi();
        api.Answer("/flaky", 500, 500, 200);
        api.Answer("/down", 503);
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, CallWorkflow($", {RetryPolicy(maxAttempts: 3)}"));

        var run = await Run(account, id, $$"""{ "url": "{{api.Url("/flaky")}}" }""");
        Assert.Equal("suspended", (string)run["status"]!);
        Assert.Equal("retry", (string)run["waiting_for"]![0]!["kind"]!);
        var done = await WaitForStatus(account, (string)run["id"]!, "completed");
        Assert.Equal("found /flaky", (string)done["variables"]!["Result"]!);
        var attempts = done["journal"]!.AsArray().Where(e => (string)e!["activity_id"]! == "call").ToList();
        Assert.Equal([1, 2, 3], attempts.Select(e => (int)e!["attempt"]!));
        Assert.All(attempts.Take(2), e =>
        {
            Assert.StartsWith("Retrying at ", (string)e!["outcome"]!);
            Assert.Contains("answered 500", (string)e["error"]!);
        });
        Assert.Equal("200", (string)attempts[2]!["outcome"]!);
        Assert.Equal(3, api.Received.Count(r => r.Path == "/flaky"));

        // Still failing at the last attempt: the unmatched port, with the status the server gave.
        var down = await WaitForStatus(account, (string)(await Run(account, id, $$"""{ "url": "{{api.Url("/down")}}" }"""))["id"]!, "completed");
        Assert.Equal("unmatched 503", (string)down["variables"]!["Result"]!);
        Assert.Equal(3, api.Received.Count(r => r.Path == "/down"));

        // Nothing listening: retried the same way, then the Failed to connect port with the reason.
        var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var refused = await WaitForStatus(account, (string)(await Run(account, id, $$"""{ "url": "http://127.0.0.1:{{port}}/orders" }"""))["id"]!, "completed");
        Assert.StartsWith("unreachable: could not reach 127.0.0.1", (string)refused["variables"]!["Result"]!);
        Assert.Equal(3, refused["journal"]!.AsArray().Count(e => (string)e!["activity_id"]! == "call"));
    }

    [Fact]
    public async Task A_live_account_cannot_call_loopback_addresses()
    {
        await using var api = new ScriptedApi();
        api.Answer("/internal", 200);
        var live = await hub.NewAccountAsync(testMode: false);
        var id = await Publish(live, CallWorkflow());

        var plain = await Run(live, id, $$"""{ "url": "{{api.Url("/internal")}}" }""");
        Assert.Equal("faulted", (string)plain["status"]!);
        Assert.Equal("call", (string)plain["incident"]!["activity_id"]!);
        Assert.Contains("'url': The URL must start with https://", (string)plain["incident"]!["message"]!);

        var https = await Run(live, id, """{ "url": "https://127.0.0.1:9/internal" }""");
        Assert.Equal("faulted", (string)https["status"]!);
        Assert.Contains("127.0.0.1 is a private, loopback or otherwise internal address", (string)https["incident"]!["message"]!);
        Assert.Empty(api.Received);

        // The same workflow in test mode reaches the loopback service.
        var test = await hub.NewAccountAsync();
        var testId = await Publish(test, CallWorkflow());
        Assert.Equal("found /internal", (string)(await Run(test, testId, $$"""{ "url": "{{api.Url("/internal")}}" }"""))["variables"]!["Result"]!);
    }

    [Fact]
    public async Task A_switch_takes_the_first_matching_case_or_Default_and_every_match_in_MatchAny_mode()
    {
        var account = await hub.NewAccountAsync();
        string Switch(string mode) => Flowchart(
            $"{Activity("start", "Elsa.Start")}, " +
            Activity("size", "Elsa.FlowSwitch",
                $"{Literal("mode", mode)}, \"cases\": [ " +
                "{ \"label\": \"Large\", \"condition\": { \"type\": \"JavaScript\", \"value\": \"getInput('amount') >= 1000\" } }, " +
                "{ \"label\": \"Medium\", \"condition\": { \"type\": \"JavaScript\", \"value\": \"getInput('amount') >= 100\" } } ]") + ", " +
            $"{Activity("large", "Elsa.WriteLine", Literal("text", "large"))}, {Activity("medium", "Elsa.WriteLine", Literal("text", "medium"))}, " +
            $"{Activity("small", "Elsa.WriteLine", Literal("text", "small"))}",
            $"{Link("start", "Done", "size")}, {Link("size", "Large", "large")}, {Link("size", "Medium", "medium")}, {Link("size", "Default", "small")}");
        var first = await Publish(account, Switch("MatchFirst"));
        var any = await Publish(account, Switch("MatchAny"));

        async Task<string[]> Taken(string definitionId, int amount) =>
            Ids(await Run(account, definitionId, $$"""{ "amount": {{amount}} }""")).Skip(2).ToArray();
        Assert.Equal(["large"], await Taken(first, 5000));
        Assert.Equal(["medium"], await Taken(first, 500));
        Assert.Equal(["small"], await Taken(first, 5));
        Assert.Equal(["large", "medium"], await Taken(any, 5000));
        Assert.Equal(["small"], await Taken(any, 5));
    }

    [Fact]
    public async Task A_script_chooses_the_port_with_setOutcome_and_its_value_is_the_result()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, " +
            $"{Activity("review", "Elsa.RunJavaScript", $"{Literal("script", "setOutcome(getInput('amount') > 100 ? 'Reject' : 'Approve'); getInput('amount') * 2")}, " +
                $"{Object("possibleOutcomes", "[\"Approve\", \"Reject\"]")}")}, " +
            $"{Activity("approve", "Elsa.WriteLine", Literal("text", "approved"))}, {Activity("reject", "Elsa.WriteLine", Literal("text", "rejected"))}, " +
            $"{Activity("after", "Elsa.WriteLine", Literal("text", "done"))}",
            $"{Link("start", "Done", "review")}, {Link("review", "Approve", "approve")}, {Link("review", "Reject", "reject")}, {Link("review", "Done", "after")}"));

        var small = await Run(account, id, """{ "amount": 40 }""");
        Assert.Equal(["start", "review", "approve"], Ids(small));
        Assert.Equal("Approve", (string)small["journal"]![1]!["outcome"]!);
        Assert.Equal(80, (int)small["journal"]![1]!["outputs"]!["result"]!);
        Assert.Equal(["start", "review", "reject"], Ids(await Run(account, id, """{ "amount": 400 }""")));
    }

    [Fact]
    public async Task A_published_event_resumes_the_run_waiting_for_it_with_its_payload()
    {
        var account = await hub.NewAccountAsync();
        var waiting = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("approved", "Elsa.Event", Literal("eventName", "CreditApproved"))}, " +
            $"{Activity("limit", "Elsa.SetVariable", $"{Prop("variable", "{ \"name\": \"Limit\" }")}, {Js("value", "getOutputFrom('approved', 'result').limit")}")}",
            $"{Link("start", "Done", "approved")}, {Link("approved", "Done", "limit")}"));
        var publishing = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, " +
            $"{Activity("announce", "Elsa.PublishEvent", $"{Literal("eventName", "CreditApproved")}, {Js("payload", "({ limit: getInput('limit') })")}")}",
            Link("start", "Done", "announce")));

        var run = await Run(account, waiting);
        Assert.Equal("suspended", (string)run["status"]!);
        var publisher = await Run(account, publishing, """{ "limit": 2500 }""");
        Assert.Equal("completed", (string)publisher["status"]!);

        var resumed = await WaitForStatus(account, (string)run["id"]!, "completed");
        Assert.Equal(2500, (int)resumed["variables"]!["Limit"]!);
        // Another account's run waiting for the same event name is not resumed.
        var stranger = await hub.NewAccountAsync();
        var strangerRun = await Run(stranger, await Publish(stranger, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("approved", "Elsa.Event", Literal("eventName", "CreditApproved"))}", Link("start", "Done", "approved"))));
        await Run(account, publishing, """{ "limit": 1 }""");
        await Task.Delay(1500);
        Assert.Equal("suspended", (string)(await Get(stranger, (string)strangerRun["id"]!))["status"]!);
    }

    [Fact]
    public async Task Finish_completes_the_run_and_drops_the_branches_still_waiting_or_scheduled()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("fork", "Elsa.FlowFork", Prop("branches", "[\"Wait\", \"Stop\", \"Later\"]"))}, " +
            $"{Activity("wait", "Elsa.Event", Literal("eventName", "Resume"))}, {Activity("stop", "Elsa.Finish")}, " +
            $"{Activity("later", "Elsa.WriteLine", Literal("text", "too late"))}, {Activity("resumed", "Elsa.WriteLine", Literal("text", "resumed"))}",
            $"{Link("start", "Done", "fork")}, {Link("fork", "Wait", "wait")}, {Link("fork", "Stop", "stop")}, {Link("fork", "Later", "later")}, " +
            $"{Link("wait", "Done", "resumed")}"));

        var run = await Run(account, id);
        Assert.Equal("completed", (string)run["status"]!);
        Assert.Empty(run["waiting_for"]!.AsArray());
        Assert.Equal(["start", "fork", "wait", "stop"], Ids(run));
        Assert.Equal("Finished", (string)run["journal"]![3]!["outcome"]!);

        var published = await (await account.Http.PostAsJsonAsync("/v1/workflow-events", new { name = "Resume" })).ExpectAsync(HttpStatusCode.Accepted);
        Assert.Empty(published["run_ids"]!.AsArray());
        Assert.Equal(["start", "fork", "wait", "stop"], Ids(await Get(account, (string)run["id"]!)));
    }

    [Fact]
    public async Task A_timer_trigger_starts_runs_on_its_interval_until_a_version_without_it_is_published()
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, Flowchart(
            $"{Activity("tick", "Elsa.Timer", $"{Literal("interval", "00:00:01")}, \"customProperties\": {{ \"canStartWorkflow\": true }}")}, " +
            $"{Activity("log", "Elsa.WriteLine", Literal("text", "tick"))}",
            Link("tick", "Done", "log")));

        var until = DateTime.UtcNow.AddSeconds(20);
        JsonArray runs;
        do
        {
            await Task.Delay(250);
            runs = await Runs(account, id);
        } while (runs.Count(r => (string)r!["status"]! == "completed") < 2 && DateTime.UtcNow < until);
        Assert.True(runs.Count(r => (string)r!["status"]! == "completed") >= 2, $"timer runs: {runs.ToJsonString()}");
        Assert.All(runs, r => Assert.Equal("timer", (string)r!["trigger"]!));
        var tick = await Get(account, (string)runs.Last()!["id"]!);
        Assert.Equal(["tick", "log"], Ids(tick));

        var manual = Flowchart($"{Activity("start", "Elsa.Start")}, {Activity("log", "Elsa.WriteLine", Literal("text", "by hand"))}", Link("start", "Done", "log"))
            .Replace("\"definitionId\": \"d1\"", $"\"definitionId\": \"{id}\"");
        await (await account.Http.PutAsync($"/v1/workflows/{id}", Body(manual))).ExpectAsync(HttpStatusCode.OK);
        await (await account.Http.PostAsync($"/v1/workflows/{id}/publish", null)).ExpectAsync(HttpStatusCode.OK);
        var afterPublish = (await Runs(account, id)).Count;
        await Task.Delay(3000);
        Assert.Equal(afterPublish, (await Runs(account, id)).Count);
    }

    [Theory]
    [InlineData("61 * * * *")]
    [InlineData("every day at noon")]
    [InlineData("0 0 30 2 *")] // 30 February: parses, never occurs
    public async Task A_cron_trigger_that_cannot_fire_is_refused_at_publish_naming_the_activity(string cron)
    {
        var account = await hub.NewAccountAsync();
        var id = "wf-" + Guid.NewGuid().ToString("N")[..10];
        var definition = Flowchart(
            $"{Activity("nightly", "Elsa.Cron", $"{Literal("cronExpression", cron)}, \"customProperties\": {{ \"canStartWorkflow\": true }}")}, " +
            $"{Activity("log", "Elsa.WriteLine", Literal("text", "night"))}",
            Link("nightly", "Done", "log")).Replace("\"definitionId\": \"d1\"", $"\"definitionId\": \"{id}\"");
        await (await account.Http.PostAsync("/v1/workflows", Body(definition))).ExpectAsync(HttpStatusCode.Created);

        var refused = await (await account.Http.PostAsync($"/v1/workflows/{id}/publish", null)).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
        var message = (string)refused["errors"]!["$.root.activities[0]"]![0]!;
        Assert.StartsWith("activity 'nightly' (Elsa.Cron): cron expression", message);
        Assert.Contains(cron, message);
        var stored = await (await account.Http.GetAsync($"/v1/workflows/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("draft", (string)stored["status"]!);
    }

    [Theory]
    [InlineData("while (true) { }", "the script ran more than 10,000 statements")]
    [InlineData("/^(a+)+$/.test('a'.repeat(28) + '!')", "the script ran longer than 1 s")] // catastrophic backtracking in one call
    public async Task An_endless_script_faults_its_run_with_the_limit_it_hit_and_the_hub_keeps_serving(string script, string limit)
    {
        var account = await hub.NewAccountAsync();
        var endless = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("spin", "Elsa.RunJavaScript", Prop("script", $"{{ \"typeName\": \"String\", \"expression\": {{ \"type\": \"Literal\", \"value\": {System.Text.Json.JsonSerializer.Serialize(script)} }} }}"))}, " +
            $"{Activity("after", "Elsa.WriteLine", Literal("text", "never"))}",
            $"{Link("start", "Done", "spin")}, {Link("spin", "Done", "after")}"));
        var fine = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("say", "Elsa.WriteLine", Literal("text", "still here"))}", Link("start", "Done", "say")));

        var started = DateTime.UtcNow;
        var run = await Run(account, endless);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(6), $"the script ran {DateTime.UtcNow - started} before its limits stopped it");
        Assert.Equal("faulted", (string)run["status"]!);
        Assert.Equal("spin", (string)run["incident"]!["activity_id"]!);
        Assert.Equal($"script: JavaScript: {limit}", (string)run["incident"]!["message"]!);
        Assert.DoesNotContain("after", Ids(run));

        Assert.Equal("completed", (string)(await Run(account, fine))["status"]!);
        await (await hub.Anonymous().GetAsync("/healthz")).ExpectAsync(HttpStatusCode.OK);
    }
}

public sealed class SqliteHttpWorkflowTests(SqliteHub hub) : HttpWorkflowTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresHttpWorkflowTests(PostgresHub hub) : HttpWorkflowTests(hub), IClassFixture<PostgresHub>;

/// <summary>
/// A partner's API on a loopback port. Each path answers the statuses queued for it in turn (the last one from then on)
/// with a JSON body naming the path, and every request is recorded.
/// </summary>
public sealed class ScriptedApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<int>> _answers = new();
    private readonly ConcurrentQueue<ApiRequest> _received = new();
    private readonly ConcurrentDictionary<string, TimeSpan> _delays = new();

    public ScriptedApi()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Map("/{**path}", async (HttpContext http) =>
        {
            var path = http.Request.Path.Value ?? "/";
            var body = await new StreamReader(http.Request.Body, Encoding.UTF8).ReadToEndAsync();
            _received.Enqueue(new ApiRequest(http.Request.Method, path, body, http.Request.ContentType));
            if (_delays.TryGetValue(path, out var delay)) await Task.Delay(delay);
            var status = 404;
            if (_answers.TryGetValue(path, out var queue))
                status = queue.Count > 1 && queue.TryDequeue(out var next) ? next : queue.TryPeek(out var last) ? last : 404;
            return Results.Json(new { path, status }, statusCode: status);
        });
        _app.StartAsync().GetAwaiter().GetResult();
    }

    public string Url(string path) =>
        _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + path;

    public void Answer(string path, params int[] statuses) => _answers[path] = new ConcurrentQueue<int>(statuses);

    /// <summary>The path answers only after this long (a slow partner).</summary>
    public void Delay(string path, TimeSpan delay) => _delays[path] = delay;

    public IReadOnlyList<ApiRequest> Received => _received.ToList();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

public sealed record ApiRequest(string Method, string Path, string Body, string? ContentType);
