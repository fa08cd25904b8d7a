using System.Text.Json.Nodes;
using ESign.Hub.Workflows.Definitions;
using static ESign.Hub.Tests.Workflows.ElsaSamples;

namespace ESign.Hub.Tests.Workflows;

public class WorkflowDefinitionReaderTests
{
    [Fact]
    public void Elsa_export_reads_into_typed_model()
    {
        var result = WorkflowDefinitionReader.Read(HttpApproval);

        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
        var d = result.Definition!;
        Assert.Equal(("f926beb0afc8505e", "HTTP approval", "Approves large orders", 2), (d.DefinitionId, d.Name, d.Description, d.Version));
        var variable = Assert.Single(d.Variables);
        Assert.Equal(("Amount", "Int32"), (variable.Name, variable.TypeName));
        Assert.Equal(7, d.Activities.Count);
        Assert.Equal(7, d.Connections.Count);

        var http = d.Activities.Single(a => a.Id == "http1");
        Assert.True(http.CanStartWorkflow);
        Assert.Equal(new DesignerPosition(-262.796875, 264), http.Position);
        Assert.Equal("orders", http.Inputs["path"].Value.GetString());
        Assert.Equal("Object", http.Inputs["supportedMethods"].ExpressionType);
        Assert.False(http.Inputs.ContainsKey("result")); // an output binding, not an input

        var decision = d.Activities.Single(a => a.Id == "decision1");
        Assert.Equal(new InputValue("Boolean", "JavaScript", decision.Inputs["condition"].Value), decision.Inputs["condition"]);
        Assert.Contains(new Connection("decision1", "False", "log1", "In"), d.Connections.Select(c => c with { Raw = null }));
        Assert.Empty(WorkflowValidator.Validate(d, HubCatalog.Instance));
    }

    [Fact]
    public void Elsa_export_round_trips_with_unknown_properties_preserved()
    {
        var definition = WorkflowDefinitionReader.Read(HttpApproval).Definition!;

        var written = WorkflowDefinitionWriter.Write(definition);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(HttpApproval), JsonNode.Parse(written)), written);
        var again = WorkflowDefinitionReader.Read(written).Definition!;
        Assert.Equal(definition.Activities.Select(a => (a.Id, a.Type, a.Position)), again.Activities.Select(a => (a.Id, a.Type, a.Position)));
    }

    [Fact]
    public void Typed_changes_are_written_over_the_raw_json()
    {
        var definition = WorkflowDefinitionReader.Read(HttpApproval).Definition!;
        var moved = definition with
        {
            Name = "Renamed",
            Activities = [.. definition.Activities.Select(a => a.Id == "end1" ? a with { Position = new(1, 2), Name = "Done" } : a)],
        };

        var json = JsonNode.Parse(WorkflowDefinitionWriter.Write(moved))!;

        Assert.Equal("Renamed", (string?)json["name"]);
        var end = json["root"]!["activities"]!.AsArray().Single(a => (string?)a!["id"] == "end1")!;
        Assert.Equal("Done", (string?)end["name"]);
        Assert.Equal(1d, (double)end["metadata"]!["designer"]!["position"]!["x"]!);
        Assert.Equal("Workflow1:95a12c8ee4e8c5fc", (string?)json["root"]!["nodeId"]);
    }

    [Fact]
    public void Legacy_string_connections_are_read_and_written_in_current_shape()
    {
        var json = Flowchart(
            Activity("start1", "Elsa.Start") + "," + Activity("d1", "Elsa.FlowDecision", Literal("condition", "true")) + "," + Activity("end1", "Elsa.End"),
            """{ "source": "start1", "target": "d1", "sourcePort": "Done", "targetPort": "In" }, { "source": "d1", "target": "end1", "sourcePort": "True" }""");

        var result = WorkflowDefinitionReader.Read(json);
        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
        var definition = result.Definition!;

        Assert.Equal(
            [new Connection("start1", "Done", "d1", "In"), new Connection("d1", "True", "end1", "In")],
            definition.Connections.Select(c => c with { Raw = null }));
        var written = JsonNode.Parse(WorkflowDefinitionWriter.Write(definition))!["root"]!["connections"]![1]!;
        Assert.Equal("True", (string?)written["source"]!["port"]);
        Assert.Null(written["sourcePort"]);
    }

    [Fact]
    public void Unknown_activity_type_is_kept_verbatim()
    {
        var unknown = """{ "id": "x1", "type": "Acme.Custom.Thing", "version": 3, "weird": { "nested": [1, 2, { "a": null }] }, "script": { "typeName": "String", "expression": { "type": "CSharp", "value": "1+1" } } }""";
        var json = Flowchart(Activity("start1", "Elsa.Start") + "," + unknown, Link("start1", "Done", "x1"));

        var definition = WorkflowDefinitionReader.Read(json).Definition!;
        var written = JsonNode.Parse(WorkflowDefinitionWriter.Write(definition))!;

        var x1 = definition.Activities.Single(a => a.Id == "x1");
        Assert.Equal("Acme.Custom.Thing", x1.Type);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(unknown), written["root"]!["activities"]![1]));
        Assert.Empty(WorkflowValidator.Validate(definition, HubCatalog.Instance));
    }

    [Theory]
    [InlineData("", "$")]
    [InlineData("{ not json", "$")]
    [InlineData("[1, 2]", "$")]
    [InlineData("""{ "root": 5 }""", "$.root")]
    [InlineData("""{ "root": { "type": "Elsa.Sequence" } }""", "$.root.type")]
    [InlineData("""{ "root": { "type": "Elsa.Flowchart", "activities": {} } }""", "$.root.activities")]
    [InlineData("""{ "root": { "type": "Elsa.Flowchart", "activities": [ { "id": 5, "type": "Elsa.End" } ] } }""", "$.root.activities[0].id")]
    [InlineData("""{ "root": { "type": "Elsa.Flowchart", "activities": [ { "type": "Elsa.End" } ] } }""", "$.root.activities[0].id")]
    [InlineData("""{ "root": { "type": "Elsa.Flowchart", "activities": [ { "id": "a", "type": "Elsa.End", "customProperties": { "canStartWorkflow": "yes" } } ] } }""", "$.root.activities[0].customProperties.canStartWorkflow")]
    [InlineData("""{ "root": { "type": "Elsa.Flowchart", "activities": [ { "id": "a", "type": "Elsa.End", "metadata": { "designer": { "position": { "x": "left" } } } } ] } }""", "$.root.activities[0].metadata.designer.position")]
    [InlineData("""{ "root": { "type": "Elsa.Flowchart", "activities": [], "connections": [ { "source": 1 } ] } }""", "$.root.connections[0]")]
    [InlineData("""{ "version": "two", "root": { "type": "Elsa.Flowchart" } }""", "$.version")]
    [InlineData("""{ "variables": [ 1 ], "root": { "type": "Elsa.Flowchart" } }""", "$.variables[0]")]
    [InlineData("""{ "root": { "type": "Elsa.Flowchart", "activities": [ { "id": "a", "type": "Elsa.End", "name": "A", "name": { "typeName": "String" } } ] } }""", "$")]
    public void Malformed_input_gives_problems_not_exceptions(string json, string path)
    {
        var result = WorkflowDefinitionReader.Read(json);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Problems, p => p.Path == path);
    }

    [Fact]
    public void Oversized_and_too_deep_input_is_refused()
    {
        var big = WorkflowDefinitionReader.Read(new string(' ', WorkflowDefinitionReader.MaxBytes + 1));
        var deep = WorkflowDefinitionReader.Read(new string('[', 10_000) + new string(']', 10_000));

        Assert.Contains("larger than", Assert.Single(big.Problems).Message);
        Assert.Contains("not valid JSON", Assert.Single(deep.Problems).Message);
    }
}
