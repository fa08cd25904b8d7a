using System.Text.Json;
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

    [Fact]
    public void A_byte_order_mark_before_the_json_is_not_part_of_it()
    {
        var result = WorkflowDefinitionReader.Read("\uFEFF" + HttpApproval);

        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
        Assert.Equal("HTTP approval", result.Definition!.Name);
    }

    [Fact]
    public void Escaped_characters_are_read_as_text_and_round_trip()
    {
        var json = Flowchart(Activity("start1", "Elsa.Start") + "," + Activity("log", "Elsa.WriteLine",
            Prop("text", """{ "typeName": "String", "expression": { "type": "JavaScript", "value": "getCounter() \u002B 1 \u003C 3 \u0027x\u0027" } }""")),
            Link("start1", "Done", "log")).Replace("\"name\": \"test\"", "\"name\": \"Parallel \\u002B Join\"");

        var definition = WorkflowDefinitionReader.Read(json).Definition!;

        Assert.Equal("Parallel + Join", definition.Name);
        Assert.Equal("getCounter() + 1 < 3 'x'", definition.Activities[1].Inputs["text"].Value.GetString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(WorkflowDefinitionWriter.Write(definition))));
    }

    [Fact]
    public void Booleans_written_as_True_and_False_are_booleans_and_keep_their_spelling()
    {
        var json = Flowchart(
            Activity("http1", "Elsa.HttpEndpoint", Literal("path", "orders") + "," +
                Prop("authorize", """{ "typeName": "Boolean", "expression": { "type": "Literal", "value": "False" } }""") + "," +
                Prop("customProperties", """{ "canStartWorkflow": "True" }""")) + "," +
            Activity("d1", "Elsa.FlowDecision", Prop("condition", """{ "typeName": "Boolean", "expression": { "type": "Literal", "value": "True" } }""")),
            Link("http1", "Done", "d1")).Replace("\"variables\": []", """ "variables": [ { "id": "v1", "name": "Flag", "typeName": "Boolean", "isArray": "False", "value": "True" } ] """);

        var result = WorkflowDefinitionReader.Read(json);

        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
        var definition = result.Definition!;
        Assert.True(definition.Activities[0].CanStartWorkflow);
        Assert.Equal(JsonValueKind.False, definition.Activities[0].Inputs["authorize"].Value.ValueKind);
        Assert.Equal(JsonValueKind.True, definition.Activities[1].Inputs["condition"].Value.ValueKind);
        Assert.False(Assert.Single(definition.Variables).IsArray);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(WorkflowDefinitionWriter.Write(definition))));
    }

    [Fact]
    public void CanStartWorkflow_is_read_in_Pascal_case_and_on_the_activity_as_3_0_pre_releases_write_it()
    {
        var json = Flowchart(
            Activity("http1", "Elsa.HttpEndpoint", Literal("path", "a") + ", " + Prop("customProperties", """{ "CanStartWorkflow": true, "RunAsynchronously": false }""")) + "," +
            Activity("http2", "Elsa.HttpEndpoint", Literal("path", "b") + ", " + Prop("canStartWorkflow", "true") + ", " + Prop("customProperties", "{}")) + "," +
            Activity("log", "Elsa.WriteLine", Prop("canStartWorkflow", "false")));

        var definition = WorkflowDefinitionReader.Read(json).Definition!;

        Assert.Equal([true, true, false], definition.Activities.Select(a => a.CanStartWorkflow));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(WorkflowDefinitionWriter.Write(definition))));
        var stopped = definition with { Activities = [definition.Activities[0] with { CanStartWorkflow = false }, .. definition.Activities.Skip(1)] };
        var written = JsonNode.Parse(WorkflowDefinitionWriter.Write(stopped))!["root"]!["activities"]![0]!["customProperties"]!;
        Assert.False((bool)written["CanStartWorkflow"]!);
        Assert.Null(written["canStartWorkflow"]);
    }

    [Fact]
    public void Null_inputs_and_inputs_without_an_expression_type_are_empty_and_WriteLine_needs_no_text()
    {
        var json = Flowchart(
            Activity("start1", "Elsa.Start") + "," +
            Activity("w1", "Elsa.WriteLine", Prop("text", "null")) + "," +
            Activity("w2", "Elsa.WriteLine", Prop("text", """{ "typeName": "String", "expression": null }""")) + "," +
            Activity("w3", "Elsa.WriteLine", Prop("text", """{ "typeName": "String", "expression": { "type": null, "value": null } }""")) + "," +
            Activity("w4", "Elsa.WriteLine"),
            Link("start1", "Done", "w1") + "," + Link("w1", "Done", "w2") + "," + Link("w2", "Done", "w3") + "," + Link("w3", "Done", "w4"));

        var result = WorkflowDefinitionReader.Read(json);

        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
        Assert.All(result.Definition!.Activities, a => Assert.Empty(a.Inputs));
        Assert.Empty(WorkflowValidator.Validate(result.Definition, HubCatalog.Instance));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(WorkflowDefinitionWriter.Write(result.Definition))));
    }

    [Fact]
    public void FlowSwitch_case_conditions_without_typeName_are_read_validated_and_reported()
    {
        var json = Flowchart(
            Activity("start1", "Elsa.Start") + "," +
            Activity("s1", "Elsa.FlowSwitch", Prop("cases", """[ { "label": "Big", "condition": { "type": "JavaScript", "value": "getInput().amount > 10" } }, { "label": "Yes", "condition": { "type": "Literal", "value": "True" } } ]""")) + "," +
            Activity("big", "Elsa.End") + "," + Activity("other", "Elsa.End"),
            Link("start1", "Done", "s1") + "," + Link("s1", "Big", "big") + "," + Link("s1", "Default", "other"));

        var result = WorkflowDefinitionReader.Read(json);

        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
        Assert.Empty(WorkflowValidator.Validate(result.Definition!, HubCatalog.Instance));
        var report = ImportReport.For(result.Definition!, HubCatalog.Instance);
        Assert.Equal(["cases[0].condition", "cases[1].condition"], report.Where(e => e.ActivityId == "s1" && e.Input is not null).Select(e => e.Input));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(WorkflowDefinitionWriter.Write(result.Definition!))));
    }

    [Theory]
    [InlineData("System.String, System.Private.CoreLib", "String")]
    [InlineData("System.String, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089", "String")]
    [InlineData("System.Boolean", "Boolean")]
    [InlineData("string", "String")]
    [InlineData("int", "Int32")]
    [InlineData("System.Int32[], System.Private.CoreLib", "Int32[]")]
    [InlineData("System.TimeSpan, System.Private.CoreLib", "TimeSpan")]
    [InlineData("String[]", "String[]")]
    [InlineData("IDictionary<String, Object>", "IDictionary<String, Object>")]
    [InlineData("Elsa.Http.Models.HttpHeaders, Elsa.Http", "Elsa.Http.Models.HttpHeaders, Elsa.Http")]
    [InlineData("System.Net.HttpStatusCode, System.Net.Primitives", "System.Net.HttpStatusCode, System.Net.Primitives")]
    public void Type_names_are_read_as_Elsa_aliases_and_written_as_they_came(string typeName, string alias)
    {
        var json = Flowchart(Activity("log", "Elsa.WriteLine",
            Prop("text", $$"""{ "typeName": "{{typeName}}", "expression": { "type": "Literal", "value": "x" } }""")));

        var definition = WorkflowDefinitionReader.Read(json).Definition!;

        Assert.Equal(alias, definition.Activities[0].Inputs["text"].TypeName);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(WorkflowDefinitionWriter.Write(definition))));
    }

    [Fact]
    public void An_assembly_qualified_Boolean_literal_is_a_boolean()
    {
        var json = Flowchart(Activity("d1", "Elsa.FlowDecision",
            Prop("condition", """{ "typeName": "System.Boolean, System.Private.CoreLib", "expression": { "type": "Literal", "value": "false" } }""")));

        var input = WorkflowDefinitionReader.Read(json).Definition!.Activities[0].Inputs["condition"];

        Assert.Equal(("Boolean", JsonValueKind.False), (input.TypeName, input.Value.ValueKind));
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
