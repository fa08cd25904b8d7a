namespace ESign.Hub.Workflows.Definitions;

/// <summary>
/// Why a definition cannot be published: the validator's problems, and every activity or expression the import report
/// finds unsupported (C#, Python, AI agents, unknown custom activities). Such a workflow still saves as a draft, with
/// these reasons, so nothing imported is lost.
/// </summary>
public static class PublishReadiness
{
    public static IReadOnlyList<WorkflowProblem> Problems(WorkflowDefinition definition, ActivityCatalog catalog, IReadOnlyList<ImportReportEntry>? report = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var problems = WorkflowValidator.Validate(definition, catalog).ToList();
        foreach (var entry in (report ?? ImportReport.For(definition, catalog)).Where(e => e.Support == SupportLevel.Unsupported))
        {
            var index = definition.Activities.ToList().FindIndex(a => a.Id == entry.ActivityId);
            var nested = index < 0 ? definition.Nested.FirstOrDefault(n => n.Activities.Any(a => a.Id == entry.ActivityId)) : null;
            var at = nested is null ? index < 0 ? "$.root.activities" : $"$.root.activities[{index}]"
                : $"{nested.Path}.activities[{nested.Activities.ToList().FindIndex(a => a.Id == entry.ActivityId)}]";
            var path = at + (entry.Input is null ? "" : "." + entry.Input);
            var what = entry.Input is null ? "" : $", input '{entry.Input}'";
            problems.Add(new(path,
                $"activity '{entry.ActivityId}' ({entry.Type}){what}: {entry.Note}; it cannot be published until this is replaced or removed",
                entry.ActivityId));
        }
        return problems;
    }
}
