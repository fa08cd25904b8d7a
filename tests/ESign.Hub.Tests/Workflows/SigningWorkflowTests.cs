using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ESign.Hub.Email;
using ESign.Hub.Tests.Infrastructure;
using static ESign.Hub.Tests.Workflows.ElsaSamples;
using static ESign.Hub.Tests.Workflows.WorkflowRunTests;

namespace ESign.Hub.Tests.Workflows;

/// <summary>
/// The signing workflow end to end: generate a contract from the run's input, send it, wait for the signers (who sign
/// through the links in their emails), then notify the sales rep — or take the Declined or Canceled path. Also the send
/// step's idempotency and the workflow_run webhooks.
/// </summary>
public abstract partial class SigningWorkflowTests(HubFactory hub)
{
    private const string Contract = """
        <html><body style="font-family: 'Liberation Sans', sans-serif">
        <h1>Order {{ order.number }}</h1>
        <p>{{ client.name }} orders onboarding for {{ order.amount }} EUR.</p>
        <p style="margin-top: 60px">Client: [sig|req|client|Client signature]</p>
        <p style="margin-top: 40px">Acme: [sig|req|provider]</p>
        </body></html>
        """;

    private static string Unique(string local) => $"{local}.{Guid.NewGuid():N}@example.com";

    private sealed record People(string Client, string Provider, string SalesRep, string OrderNumber)
    {
        public string Input(int amount = 4200) =>
            $$"""{ "clientName": "Cleo Client", "clientEmail": "{{Client}}", "providerEmail": "{{Provider}}", "salesRep": "{{SalesRep}}", "orderNumber": "{{OrderNumber}}", "amount": {{amount}} }""";
    }

    private static People NewPeople() =>
        new(Unique("cleo"), Unique("pat"), Unique("rep"), "SO-" + Random.Shared.Next(10_000, 99_999));

    private static async Task<string> CreateTemplateAsync(HubClient account)
    {
        var template = await (await account.Http.PostJsonAsync("/v1/templates", new
        {
            name = "Order form", kind = "html", content = Contract, roles = new[] { "client", "provider" },
            sample_data = new { client = new { name = "Sample" }, order = new { number = "SO-1", amount = 1 } },
        })).ExpectAsync(HttpStatusCode.Created);
        return (string)template["id"]!;
    }

    /// <summary>
    /// Start → SetVariable Order (JavaScript over the input) → Generate (data: the Order variable) → Send (two signers from the
    /// input) → Wait → Completed: email the sales rep; Declined: email the sales rep another text; Canceled: log → End.
    /// </summary>
    private static string SigningWorkflow(string templateId, string signingOrder) => Flowchart(
        $"{Activity("start", "Elsa.Start")}, " +
        $"{Activity("order", "Elsa.SetVariable", $"{Prop("variable", "{ \"id\": \"v-order\", \"name\": \"Order\" }")}, " +
            $"{Js("value", "({ client: { name: getInput('clientName') }, order: { number: getInput('orderNumber'), amount: getInput('amount') } })")}")}, " +
        $"{Activity("generate", "Hub.Document.Generate", $"{Literal("template", templateId)}, " +
            $"{Prop("data", "{ \"typeName\": \"Object\", \"expression\": { \"type\": \"Variable\", \"value\": { \"id\": \"v-order\", \"name\": \"Order\" } } }")}, " +
            $"{Js("fileName", "'Order ' + getInput('orderNumber') + '.pdf'")}")}, " +
        $"{Activity("send", "Hub.ESign.SendForSignature", $"{Js("documentId", "getOutputFrom('generate', 'documentId')")}, " +
            $"{Js("title", "'Order ' + variables.Order.order.number")}, {Literal("signingOrder", signingOrder)}, {Literal("useTextTags", "true")}, " +
            $"{Js("requestMetadata", "({ order_number: getInput('orderNumber') })")}, " +
            $"{Js("signers", "[{ name: getInput('clientName'), email: getInput('clientEmail'), role: 'client' }, { name: 'Pat Provider', email: getInput('providerEmail'), role: 'provider' }]")}")}, " +
        $"{Activity("wait", "Hub.ESign.WaitForSignature", Js("signatureRequestId", "getOutputFrom('send', 'signatureRequestId')"))}, " +
        $"{Activity("notify", "Hub.Email.Send", $"{Js("to", "getInput('salesRep')")}, {Js("subject", "'Signed: order ' + getInput('orderNumber')")}, " +
            $"{Js("body", "'The signed contract is document ' + getOutputFrom('wait', 'signedDocumentId') + '.'")}")}, " +
        $"{Activity("declined", "Hub.Email.Send", $"{Js("to", "getInput('salesRep')")}, {Js("subject", "'Declined: order ' + getInput('orderNumber')")}")}, " +
        $"{Activity("canceled", "Elsa.WriteLine", Literal("text", "the request was canceled"))}, {Activity("end", "Elsa.End")}",
        $"{Link("start", "Done", "order")}, {Link("order", "Done", "generate")}, {Link("generate", "Done", "send")}, {Link("send", "Done", "wait")}, " +
        $"{Link("wait", "Completed", "notify")}, {Link("wait", "Declined", "declined")}, {Link("wait", "Canceled", "canceled")}, " +
        $"{Link("notify", "Done", "end")}, {Link("declined", "Done", "end")}, {Link("canceled", "Done", "end")}")
        .Replace("\"variables\": []", "\"variables\": [{ \"id\": \"v-order\", \"name\": \"Order\", \"typeName\": \"Object\", \"isArray\": false }]");

    /// <summary>Starts the signing workflow; returns the suspended run and the signature request it waits for.</summary>
    private async Task<(HubClient Account, People People, JsonNode Run, string RequestId)> StartSigningAsync(string signingOrder)
    {
        var account = await hub.NewAccountAsync();
        var id = await Publish(account, SigningWorkflow(await CreateTemplateAsync(account), signingOrder));
        var people = NewPeople();
        var run = await Run(account, id, people.Input());
        Assert.Equal("suspended", (string)run["status"]!);
        var waiting = Assert.Single(run["waiting_for"]!.AsArray())!;
        Assert.Equal("signature", (string)waiting["kind"]!);
        Assert.Equal("wait", (string)waiting["activity_id"]!);
        return (account, people, run, (string)waiting["key"]!);
    }

    [GeneratedRegex(@"https?://\S+/sign/[A-Za-z0-9_\-]+")]
    private static partial Regex SigningLinkPattern();

    /// <summary>The signer's browser, opened from the link in the last email they got of this kind.</summary>
    private async Task<SigningClient> FromEmailAsync(string address, string kind)
    {
        var email = (await hub.OutboxAsync(address)).Last(e => e.Kind == kind);
        var link = SigningLinkPattern().Match(email.TextBody);
        Assert.True(link.Success, $"No signing link in the {kind} email: {email.TextBody}");
        return SigningClient.FromUrl(hub, link.Value);
    }

    private static List<(string Activity, string Outcome)> Steps(JsonNode run) =>
        run["journal"]!.AsArray().Select(e => ((string)e!["activity_id"]!, (string)e["outcome"]!)).ToList();

    [Fact]
    public async Task A_contract_generated_from_the_input_is_signed_in_sequence_and_the_sales_rep_is_told_once()
    {
        var (account, people, run, requestId) = await StartSigningAsync("sequential");
        var runId = (string)run["id"]!;
        Assert.Equal(
            [("start", "Done"), ("order", "Done"), ("generate", "Done"), ("send", "Done"), ("wait", "Suspended")],
            Steps(run));

        // The request carries the contract merged from the run's input, with the text tags' fields for the two roles.
        var request = await (await account.Http.GetAsync($"/v1/signature-requests/{requestId}")).ExpectAsync(HttpStatusCode.OK);
        var generated = run["journal"]!.AsArray().Single(e => (string)e!["activity_id"]! == "generate")!;
        Assert.Equal((string)generated["outputs"]!["documentId"]!, (string)request["document_id"]!);
        Assert.Equal($"Order {people.OrderNumber}", (string)request["title"]!);
        Assert.Equal(runId, (string)request["metadata"]!["workflow_run_id"]!);
        Assert.Equal(people.OrderNumber, (string)request["metadata"]!["order_number"]!);
        var document = await (await account.Http.GetAsync($"/v1/documents/{request["document_id"]}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal($"Order {people.OrderNumber}.pdf", (string)document["name"]!);
        Assert.Equal(2, request["fields"]!.AsArray().Count);
        var contract = await (await account.Http.GetAsync($"/v1/documents/{request["document_id"]}/download")).Content.ReadAsByteArrayAsync();
        var text = await PdfTools.Text(contract);
        Assert.Contains("Cleo Client", text);
        Assert.Contains(people.OrderNumber, text);
        Assert.Contains("4200 EUR", text);

        // Sequential: the client is invited first, the provider when it is their turn.
        Assert.Empty(await hub.OutboxAsync(people.Provider));
        await (await FromEmailAsync(people.Client, "invitation")).ConsentAndSignAsync();
        Assert.Equal("suspended", (string)(await Get(account, runId))["status"]!);
        var last = await (await FromEmailAsync(people.Provider, "your_turn")).ConsentAndSignAsync();
        Assert.Equal("completed", (string)last["request_status"]!);

        // The run resumes by itself.
        var done = await WaitForStatus(account, runId, "completed");
        Assert.Equal(
            [("start", "Done"), ("order", "Done"), ("generate", "Done"), ("send", "Done"), ("wait", "Suspended"), ("wait", "Completed"),
                ("notify", "Done"), ("end", "Finished")],
            Steps(done));
        var signed = await (await account.Http.GetAsync($"/v1/signature-requests/{requestId}")).ExpectAsync(HttpStatusCode.OK);
        var signedDocumentId = (string)signed["signed_document_id"]!;
        var resumed = done["journal"]!.AsArray().Last(e => (string)e!["activity_id"]! == "wait")!;
        Assert.Equal(signedDocumentId, (string)resumed["outputs"]!["signedDocumentId"]!);
        Assert.Equal("completed", (string)resumed["outputs"]!["status"]!);
        Assert.Empty(done["waiting_for"]!.AsArray());

        var notice = Assert.Single(await hub.OutboxAsync(people.SalesRep));
        Assert.Equal("workflow", notice.Kind);
        Assert.Equal($"Signed: order {people.OrderNumber}", notice.Subject);
        Assert.Contains(signedDocumentId, notice.TextBody);
        // One request, one invitation each: nothing was sent twice while the run suspended and resumed.
        Assert.Single(await hub.OutboxAsync(people.Client), e => e.Kind == "invitation");
        Assert.Single(await hub.OutboxAsync(people.Provider), e => e.Kind == "your_turn");
        var requests = await (await account.Http.GetAsync("/v1/signature-requests")).ExpectAsync(HttpStatusCode.OK);
        Assert.Single(requests["data"]!.AsArray());
    }

    [Fact]
    public async Task The_shipped_send_for_signature_workflow_runs_from_its_file_to_the_notification()
    {
        // workflows/send-for-signature.json, published into every account: input in, signed contract and email out.
        var account = await hub.NewAccountAsync();
        var template = await (await account.Http.PostJsonAsync("/v1/templates", new
        {
            name = "Service agreement", kind = "html",
            content = """
                <html><body style="font-family: 'Liberation Sans', sans-serif"><h1>Agreement with {{ client }}</h1>
                <p style="margin-top: 60px">[sig|req|signer1]</p><p style="margin-top: 40px">[sig|req|signer2]</p></body></html>
                """,
            roles = new[] { "first", "second" }, sample_data = new { client = "Sample" },
        })).ExpectAsync(HttpStatusCode.Created);
        var (first, second, notify) = (Unique("first"), Unique("second"), Unique("notify"));
        var run = await (await account.Http.PostJsonAsync("/v1/workflows/send-for-signature/runs", new
        {
            input = new
            {
                template_id = (string)template["id"]!, data = new { client = "Globex" }, title = "Globex agreement", notify,
                signers = new[] { new { name = "First Signer", email = first }, new { name = "Second Signer", email = second } },
            },
        })).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("suspended", (string)run["status"]!);

        await (await FromEmailAsync(first, "invitation")).ConsentAndSignAsync();
        await (await FromEmailAsync(second, "your_turn")).ConsentAndSignAsync();
        var done = await WaitForStatus(account, (string)run["id"]!, "completed");
        Assert.Equal(["start", "generate", "send", "wait", "wait", "signed", "end"],
            done["journal"]!.AsArray().Select(e => (string)e!["activity_id"]!));
        var notice = Assert.Single(await hub.OutboxAsync(notify));
        Assert.Equal("Signed: Globex agreement", notice.Subject);
        var signedDocument = (string)done["journal"]!.AsArray().Last(e => (string)e!["activity_id"]! == "wait")!["outputs"]!["signedDocumentId"]!;
        Assert.Contains(signedDocument, notice.TextBody);
    }

    [Fact]
    public async Task A_declined_request_takes_the_Declined_path()
    {
        var (account, people, run, _) = await StartSigningAsync("parallel");
        await (await FromEmailAsync(people.Client, "invitation")).ConsentAndSignAsync();
        var provider = await FromEmailAsync(people.Provider, "invitation");
        await provider.ReadyStateAsync();
        await (await provider.DeclineAsync("The price is wrong")).ExpectAsync(HttpStatusCode.OK);

        var done = await WaitForStatus(account, (string)run["id"]!, "completed");
        var steps = Steps(done);
        Assert.Equal([("wait", "Suspended"), ("wait", "Declined"), ("declined", "Done"), ("end", "Finished")], steps.Skip(4));
        var resumed = done["journal"]!.AsArray().Last(e => (string)e!["activity_id"]! == "wait")!;
        Assert.Equal("declined", (string)resumed["outputs"]!["status"]!);
        Assert.Null(resumed["outputs"]!["signedDocumentId"]);
        var notice = Assert.Single(await hub.OutboxAsync(people.SalesRep));
        Assert.Equal($"Declined: order {people.OrderNumber}", notice.Subject);
    }

    [Fact]
    public async Task A_canceled_request_takes_the_Canceled_path()
    {
        var (account, people, run, requestId) = await StartSigningAsync("parallel");
        await (await account.Http.DeleteAsync($"/v1/signature-requests/{requestId}")).ExpectAsync(HttpStatusCode.OK);

        var done = await WaitForStatus(account, (string)run["id"]!, "completed");
        Assert.Equal([("wait", "Suspended"), ("wait", "Canceled"), ("canceled", "Done"), ("end", "Finished")], Steps(done).Skip(4));
        Assert.Empty(await hub.OutboxAsync(people.SalesRep));
        // The canceled link no longer opens.
        await (await (await FromEmailAsync(people.Client, "invitation")).StateAsync()).ExpectProblemAsync(HttpStatusCode.Gone);
    }

    [Fact]
    public async Task The_send_step_takes_over_the_request_already_made_for_it_instead_of_sending_another()
    {
        // A run that crashed after sending and before its commit runs the send again with the same step key: it must
        // find the request it made. Here the request is made first (as that earlier attempt would have) while the run
        // waits at a gate just before the send.
        var account = await hub.NewAccountAsync();
        var generated = await (await account.Http.PostJsonAsync("/v1/documents/generate", new
        {
            template_id = await CreateTemplateAsync(account),
            data = new { client = new { name = "Cleo Client" }, order = new { number = "SO-7", amount = 10 } },
        })).ExpectAsync(HttpStatusCode.Created);
        var documentId = (string)generated["document"]!["id"]!;
        var id = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("gate", "Elsa.Event", Literal("eventName", "Go"))}, " +
            $"{Activity("send", "Hub.ESign.SendForSignature", $"{Literal("documentId", documentId)}, {Literal("title", "Order SO-7")}, " +
                $"{Literal("useTextTags", "true")}, {Js("signers", "[{ name: 'Cleo Client', email: getInput('client'), role: 'client' }, { name: 'Pat Provider', email: getInput('provider'), role: 'provider' }]")}")}, " +
            $"{Activity("end", "Elsa.End")}",
            $"{Link("start", "Done", "gate")}, {Link("gate", "Done", "send")}, {Link("send", "Done", "end")}"));

        async Task<(string RunId, string Client)> StartAsync()
        {
            var client = Unique("cleo");
            var run = await Run(account, id, $$"""{ "client": "{{client}}", "provider": "{{Unique("pat")}}" }""");
            Assert.Equal("suspended", (string)run["status"]!);
            return ((string)run["id"]!, client);
        }

        async Task<string> SendOutsideAsync(HubClient owner, string document, string stepKey, string client) =>
            (string)(await owner.Http.CreateSignatureRequestAsync(new
            {
                document_id = document, title = "Order SO-7", use_text_tags = true,
                signers = new object[] { new { name = "Cleo Client", email = client, role = "client" }, new { name = "Pat Provider", email = Unique("pat"), role = "provider" } },
                metadata = new Dictionary<string, string> { ["workflow_step"] = stepKey },
            }))["id"]!;

        var (runId, client) = await StartAsync();
        var earlier = await SendOutsideAsync(account, documentId, $"{runId}:send:1", client);
        await (await account.Http.PostAsJsonAsync("/v1/workflow-events", new { name = "Go" })).ExpectAsync(HttpStatusCode.Accepted);
        var done = await WaitForStatus(account, runId, "completed");
        var send = done["journal"]!.AsArray().Single(e => (string)e!["activity_id"]! == "send")!;
        Assert.Equal(earlier, (string)send["outputs"]!["signatureRequestId"]!);
        Assert.Single(await hub.OutboxAsync(client), e => e.Kind == "invitation");
        var all = await (await account.Http.GetAsync("/v1/signature-requests")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([earlier], all["data"]!.AsArray().Select(r => (string)r!["id"]!));

        // The same key in another account is not this run's request: the run sends its own, marked with its step.
        var stranger = await hub.NewAccountAsync();
        var strangerDocument = await stranger.Http.UploadPdfAsync(await (await account.Http.GetAsync($"/v1/documents/{documentId}/download")).Content.ReadAsByteArrayAsync());
        var (secondRunId, secondClient) = await StartAsync();
        var foreign = await SendOutsideAsync(stranger, strangerDocument, $"{secondRunId}:send:1", Unique("cleo"));
        await (await account.Http.PostAsJsonAsync("/v1/workflow-events", new { name = "Go" })).ExpectAsync(HttpStatusCode.Accepted);
        var second = await WaitForStatus(account, secondRunId, "completed");
        var own = (string)second["journal"]!.AsArray().Single(e => (string)e!["activity_id"]! == "send")!["outputs"]!["signatureRequestId"]!;
        Assert.NotEqual(foreign, own);
        var ownRequest = await (await account.Http.GetAsync($"/v1/signature-requests/{own}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal($"{secondRunId}:send:1", (string)ownRequest["metadata"]!["workflow_step"]!);
        Assert.Single(await hub.OutboxAsync(secondClient), e => e.Kind == "invitation");
    }

    [Fact]
    public async Task Workflow_run_completed_and_faulted_webhooks_arrive_once_with_the_run()
    {
        await using var receiver = new WebhookReceiver();
        var account = await hub.NewAccountAsync();
        var endpoint = await (await account.Http.PostJsonAsync("/v1/webhook-endpoints",
            new { url = receiver.Url, events = new[] { "workflow_run.completed", "workflow_run.faulted" } })).ExpectAsync(HttpStatusCode.Created);
        receiver.Secrets.Add((string)endpoint["secret"]!);
        var completing = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("say", "Elsa.WriteLine", Literal("text", "hello"))}", Link("start", "Done", "say")));
        var faulting = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("check", "Elsa.RunJavaScript", Literal("script", "throw new Error('no credit limit')"))}",
            Link("start", "Done", "check")));
        // A run that only waits finishes nothing and sends nothing.
        var waiting = await Publish(account, Flowchart(
            $"{Activity("start", "Elsa.Start")}, {Activity("wait", "Elsa.Event", Literal("eventName", "never"))}", Link("start", "Done", "wait")));

        var completed = (string)(await Run(account, completing))["id"]!;
        var faulted = (string)(await Run(account, faulting))["id"]!;
        await Run(account, waiting);

        var received = await receiver.WaitAsync(r => r.Count >= 2);
        await Task.Delay(1500); // time for a duplicate to show up
        received = receiver.Received;
        Assert.All(received, r => Assert.True(r.Valid));
        Assert.Equal(2, received.Count);
        var completedEvent = Assert.Single(received, r => r.Type == "workflow_run.completed").Json;
        Assert.Equal(completed, (string)completedEvent["data"]!["workflow_run"]!["id"]!);
        Assert.Equal("completed", (string)completedEvent["data"]!["workflow_run"]!["status"]!);
        var faultedEvent = Assert.Single(received, r => r.Type == "workflow_run.faulted").Json;
        Assert.Equal(faulted, (string)faultedEvent["data"]!["workflow_run"]!["id"]!);
        Assert.Equal("faulted", (string)faultedEvent["data"]!["workflow_run"]!["status"]!);
        Assert.Contains("no credit limit", (string)faultedEvent["data"]!["workflow_run"]!["incident"]!["message"]!);
    }
}

public sealed class SqliteSigningWorkflowTests(SqliteHub hub) : SigningWorkflowTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresSigningWorkflowTests(PostgresHub hub) : SigningWorkflowTests(hub), IClassFixture<PostgresHub>;
