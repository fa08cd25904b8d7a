using System.Text.Json;
using ESign.Hub.Workflows.Definitions;
using static ESign.Hub.Tests.Workflows.ElsaSamples;

namespace ESign.Hub.Tests.Workflows;

public class ImportReportTests
{
    [Fact]
    public void Elsa_export_reports_every_activity_and_expression()
    {
        var definition = WorkflowDefinitionReader.Read(HttpApproval).Definition!;

        var report = ImportReport.For(definition, HubCatalog.Instance);

        Assert.Equal(7, report.Count(e => e.Input is null));
        Assert.All(report.Where(e => e.Input is null), e => Assert.Equal(SupportLevel.Supported, e.Support));
        var condition = report.Single(e => e.ActivityId == "decision1" && e.Input == "condition");
        Assert.Equal(SupportLevel.Supported, condition.Support);
        var liquid = report.Single(e => e.ActivityId == "respond1" && e.Input == "content");
        Assert.Equal(SupportLevel.Degraded, liquid.Support);
        Assert.Contains("Scriban", liquid.Note);
        Assert.Equal(definition.Activities.Sum(a => a.Inputs.Count), report.Count(e => e.Input is not null));
    }

    [Fact]
    public void Unknown_types_and_CSharp_and_Python_are_unsupported()
    {
        var json = Flowchart(string.Join(",",
            Activity("start1", "Elsa.Start"),
            Activity("x1", "Acme.Custom.Thing", Prop("a", """{ "typeName": "Object", "expression": { "type": "CSharp", "value": "1" } }""")),
            Activity("w1", "Elsa.WriteLine", Prop("text", """{ "typeName": "String", "expression": { "type": "Python", "value": "'hi'" } }""")),
            Activity("j1", "Elsa.FlowJoin", Prop("mode", """{ "typeName": "Object", "expression": { "type": "Literal", "value": "WaitAllActive" } }""")),
            Activity("j2", "Elsa.FlowJoin", Prop("mode", """{ "typeName": "Object", "expression": { "type": "Literal", "value": "WaitAny" } }""")),
            Activity("j3", "Elsa.FlowJoin", Prop("mode", """{ "typeName": "Object", "expression": { "type": "JavaScript", "value": "'Wait' + 'Any'" } }"""))));

        var report = ImportReport.For(WorkflowDefinitionReader.Read(json).Definition!, HubCatalog.Instance);

        Assert.Equal(SupportLevel.Unsupported, report.Single(e => e is { ActivityId: "x1", Input: null }).Support);
        Assert.Contains("kept verbatim", report.Single(e => e is { ActivityId: "x1", Input: null }).Note);
        Assert.Equal(SupportLevel.Unsupported, report.Single(e => e is { ActivityId: "x1", Input: "a" }).Support);
        Assert.Equal(SupportLevel.Unsupported, report.Single(e => e is { ActivityId: "w1", Input: "text" }).Support);
        Assert.Equal(SupportLevel.Supported, report.Single(e => e is { ActivityId: "w1", Input: null }).Support);
        // WaitAllActive runs as Elsa's rule says (it is also the implicit join); a mode computed by a script is not read.
        Assert.Equal(SupportLevel.Supported, report.Single(e => e is { ActivityId: "j1", Input: null }).Support);
        Assert.Equal(SupportLevel.Supported, report.Single(e => e is { ActivityId: "j2", Input: null }).Support);
        Assert.Equal(SupportLevel.Degraded, report.Single(e => e is { ActivityId: "j3", Input: null }).Support);
    }

    [Fact]
    public void Report_entries_serialize_with_snake_case_and_lowercase_support()
    {
        var entry = new ImportReportEntry("x1", "Acme.Thing", SupportLevel.Unsupported, "kept");

        var json = JsonSerializer.Serialize(entry);

        Assert.Contains("\"activity_id\":\"x1\"", json);
        Assert.Contains("\"support\":\"unsupported\"", json);
    }
}
