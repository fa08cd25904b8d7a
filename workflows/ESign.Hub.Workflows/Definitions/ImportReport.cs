using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ESign.Hub.Workflows.Definitions;

/// <summary>
/// One line of an import report. <see cref="Input"/> is null for the activity itself and names the
/// input for an expression entry.
/// </summary>
public sealed record ImportReportEntry(
    [property: JsonPropertyName("activity_id")] string ActivityId,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("support")] SupportLevel Support,
    [property: JsonPropertyName("note")] string Note,
    [property: JsonPropertyName("input")] string? Input = null);

/// <summary>What of an imported Elsa 3 definition runs here: every activity and every expression.</summary>
public static class ImportReport
{
    public static IReadOnlyList<ImportReportEntry> For(WorkflowDefinition definition, ActivityCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(catalog);
        var entries = new List<ImportReportEntry>();
        foreach (var activity in definition.AllActivities)
        {
            entries.Add(ForActivity(activity, catalog));
            foreach (var (name, input) in activity.Inputs)
                entries.Add(ForExpression(activity, name, input.ExpressionType));

            // FlowSwitch cases carry their conditions outside the input shape.
            if (activity.Raw["cases"] is JsonArray cases)
            {
                for (var i = 0; i < cases.Count; i++)
                {
                    if (cases[i]?["condition"]?["type"] is JsonValue type && type.TryGetValue<string>(out var expressionType))
                        entries.Add(ForExpression(activity, $"cases[{i}].condition", expressionType));
                }
            }
        }
        return entries;
    }

    private static ImportReportEntry ForActivity(ActivityNode activity, ActivityCatalog catalog)
    {
        if (catalog.Find(activity.Type) is not { } descriptor)
        {
            return WorkflowActivityNodes.ChildDefinitionId(activity) is { } child
                ? new(activity.Id, activity.Type, SupportLevel.Unsupported,
                    $"workflow used as an activity: no published workflow '{child}' or workflow named as type '{activity.Type}' in this account " +
                    "(import and publish the child first)")
                : new(activity.Id, activity.Type, SupportLevel.Unsupported, "unknown activity type: kept verbatim, will not run");
        }

        if (activity.Raw["customProperties"]?["mergeMode"] is not null)
            return new(activity.Id, activity.Type, SupportLevel.Degraded, "customProperties.mergeMode is approximated by an implicit join");
        var (support, note) = descriptor.SupportOf?.Invoke(activity) ?? (descriptor.Support, descriptor.Note);
        return new(activity.Id, activity.Type, support, note);
    }

    private static ImportReportEntry ForExpression(ActivityNode activity, string input, string expressionType)
    {
        var (support, note) = expressionType switch
        {
            "Literal" or "Object" or "Variable" => (SupportLevel.Supported, $"{expressionType} expression"),
            "JavaScript" => (SupportLevel.Supported, "JavaScript expression on sandboxed Jint with Elsa's helpers"),
            "Liquid" => (SupportLevel.Degraded, "Liquid expression runs on Scriban's Liquid mode, not Fluid: filters may differ"),
            "CSharp" or "Python" => (SupportLevel.Unsupported, $"{expressionType} expressions are not supported"),
            _ => (SupportLevel.Unsupported, $"unknown expression type '{expressionType}'"),
        };
        return new(activity.Id, activity.Type, support, note, input);
    }
}
