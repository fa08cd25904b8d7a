using ESign.Hub.Workflows.Definitions;
using static ESign.Hub.Tests.Workflows.ElsaSamples;

namespace ESign.Hub.Tests.Workflows;

public class WorkflowValidatorTests
{
    private static IReadOnlyList<WorkflowProblem> Validate(string activities, string connections = "")
    {
        var result = WorkflowDefinitionReader.Read(Flowchart(activities, connections));
        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
        return WorkflowValidator.Validate(result.Definition!, HubCatalog.Instance);
    }

    private static readonly string Start = Activity("start1", "Elsa.Start");
    private static readonly string Send = Activity("send1", "Hub.ESign.SendForSignature", Literal("signers", "a@example.com"));

    [Fact]
    public void Valid_flow_with_hub_outcomes_has_no_problems()
    {
        var problems = Validate(
            string.Join(",", Start, Send, Activity("wait1", "Hub.ESign.WaitForSignature", Literal("signatureRequestId", "x")), Activity("end1", "Elsa.End")),
            string.Join(",", Link("start1", "Done", "send1"), Link("send1", "Done", "wait1"), Link("wait1", "Declined", "end1")));

        Assert.Empty(problems);
    }

    [Fact]
    public void Missing_required_input_names_the_activity()
    {
        var problems = Validate(Start + "," + Activity("send1", "Hub.ESign.SendForSignature"), Link("start1", "Done", "send1"));

        Assert.Equal("activity 'send1' (Hub.ESign.SendForSignature): missing required input 'signers'", Assert.Single(problems).Message);
    }

    [Fact]
    public void Dangling_connections_name_the_activity()
    {
        var problems = Validate(Start + "," + Send, Link("start1", "Done", "send1") + "," + Link("send1", "Done", "ghost") + "," + Link("nobody", "Done", "send1"));

        Assert.Contains(problems, p => p.Message == "activity 'send1' (Hub.ESign.SendForSignature): connection to unknown activity 'ghost'");
        Assert.Contains(problems, p => p.Message == "activity 'send1' (Hub.ESign.SendForSignature): connection from unknown activity 'nobody'");
    }

    [Fact]
    public void Unknown_ports_name_the_activity()
    {
        var problems = Validate(
            Start + "," + Activity("d1", "Elsa.FlowDecision", Literal("condition", "true")) + "," + Activity("end1", "Elsa.End"),
            Link("start1", "Done", "d1") + "," + Link("d1", "Maybe", "end1") + "," + Link("d1", "True", "end1", "Side"));

        Assert.Contains(problems, p => p.Message.StartsWith("activity 'd1' (Elsa.FlowDecision): unknown outcome port 'Maybe' (known: True, False)", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message == "activity 'end1' (Elsa.End): unknown inbound port 'Side'");
    }

    [Fact]
    public void Ports_come_from_inputs_for_http_request_and_switch()
    {
        var http = Activity("req1", "Elsa.FlowSendHttpRequest",
            Literal("url", "https://example.com") + """, "expectedStatusCodes": { "typeName": "Int32[]", "expression": { "type": "Object", "value": "[200, 404]" } }""");
        var sw = Activity("sw1", "Elsa.FlowSwitch", Prop("cases", """[ { "label": "Big", "condition": { "type": "JavaScript", "value": "true" } } ]"""));
        var end = Activity("end1", "Elsa.End");
        var links = string.Join(",", Link("start1", "Done", "req1"), Link("req1", "200", "sw1"), Link("req1", "404", "end1"),
            Link("req1", "Failed to connect", "end1"), Link("req1", "Timeout", "end1"), Link("req1", "Unmatched status code", "end1"),
            Link("sw1", "Big", "end1"), Link("sw1", "Default", "end1"), Link("req1", "500", "end1"));

        var problems = Validate(string.Join(",", Start, http, sw, end), links);

        Assert.Equal("activity 'req1' (Elsa.FlowSendHttpRequest): unknown outcome port '500' (known: 200, 404, Unmatched status code, Failed to connect, Timeout)",
            Assert.Single(problems).Message);
    }

    [Fact]
    public void Unreachable_activity_is_named()
    {
        var problems = Validate(Start + "," + Activity("end1", "Elsa.End") + "," + Activity("orphan", "Elsa.WriteLine", Literal("text", "hi")), Link("start1", "Done", "end1"));

        Assert.Equal("activity 'orphan' (Elsa.WriteLine): unreachable from any start", Assert.Single(problems).Message);
    }

    [Fact]
    public void A_flowchart_without_Start_or_trigger_starts_at_its_activity_with_no_inbound_connection_as_in_Elsa()
    {
        var problems = Validate(Activity("a", "Elsa.WriteLine", Literal("text", "hi")) + "," + Activity("end1", "Elsa.End"), Link("a", "Done", "end1"));

        Assert.Empty(problems);
    }

    [Fact]
    public void Elsa_runs_only_the_first_activity_with_no_inbound_connection_so_a_second_one_is_unreachable()
    {
        var problems = Validate(string.Join(",", Activity("a", "Elsa.WriteLine", Literal("text", "a")), Activity("b", "Elsa.WriteLine", Literal("text", "b"))));

        Assert.Equal("activity 'b' (Elsa.WriteLine): unreachable from any start", Assert.Single(problems).Message);
    }

    [Fact]
    public void CanStartWorkflow_and_trigger_types_count_as_starts()
    {
        var problems = Validate(
            Activity("a", "Elsa.WriteLine", Literal("text", "hi") + """, "customProperties": { "canStartWorkflow": true }""") + "," +
            Activity("t1", "Elsa.Cron", Literal("cronExpression", "0 * * * *")));

        Assert.Empty(problems);
    }

    [Fact]
    public void Duplicate_activity_ids_are_reported()
    {
        var problems = Validate(Start + "," + Activity("start1", "Elsa.End"));

        Assert.Equal("activity 'start1' (Elsa.End): duplicate activity id", Assert.Single(problems).Message);
    }
}
