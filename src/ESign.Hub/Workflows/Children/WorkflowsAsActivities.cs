using ESign.Hub.Storage;
using ESign.Hub.Workflows.Definitions;
using ESign.Hub.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Workflows.Children;

/// <summary>
/// Which definition a workflow used as an activity names, in the caller's account and mode: the published definition
/// whose id is the node's <c>workflowDefinitionId</c>, else the one whose name in Pascal case is the node's type (Elsa
/// resolves the type by name, and an export keeps the id the child had where it was designed). Validation, the import
/// report and publishing see such a type only when that definition is published here.
/// </summary>
public static class WorkflowsAsActivities
{
    /// <summary>The catalog with a descriptor for each workflow used as an activity in <paramref name="definition"/> that resolves.</summary>
    public static async Task<ActivityCatalog> CatalogForAsync(HubDbContext db, WorkflowDefinition definition, ActivityCatalog catalog, CancellationToken ct)
    {
        var extra = new List<ActivityDescriptor>();
        foreach (var node in definition.Activities.Where(a => catalog.Find(a.Type) is null && WorkflowActivityNodes.ChildDefinitionId(a) is not null))
        {
            if (await ResolveAsync(db, node, ct) is not { } version) continue;
            if (WorkflowDefinitionReader.Read(version.Json).Definition is { } child)
                extra.Add(WorkflowActivityNodes.DescriptorFor(node.Type, child, version.DefinitionId));
        }
        return extra.Count == 0 ? catalog : catalog.With(extra);
    }

    public static Task<StoredWorkflow?> ResolveAsync(ActivityContext context, ActivityNode node) =>
        ResolveAsync(context.Services.GetRequiredService<HubDbContext>(), node, context.CancellationToken);

    public static async Task<StoredWorkflow?> ResolveAsync(HubDbContext db, ActivityNode node, CancellationToken ct)
    {
        var id = WorkflowActivityNodes.ChildDefinitionId(node);
        var published = db.Workflows.AsNoTracking().Where(w => w.Status == WorkflowVersionStatus.Published);
        if (id is not null && await published.Where(w => w.DefinitionId == id).OrderByDescending(w => w.Version).FirstOrDefaultAsync(ct) is { } byId)
            return byId;
        // By name: few definitions per account, and names are compared as Elsa makes type names of them.
        var named = await published.Where(w => w.Name != null).Select(w => new { w.Id, w.Name, w.DefinitionId, w.Version }).ToListAsync(ct);
        var match = named.Where(w => WorkflowActivityNodes.TypeNameOf(w.Name!) == node.Type)
            .OrderBy(w => w.DefinitionId, StringComparer.Ordinal).ThenByDescending(w => w.Version).FirstOrDefault();
        return match is null ? null : await db.Workflows.AsNoTracking().FirstAsync(w => w.Id == match.Id, ct);
    }

    public static string Missing(ActivityNode node) =>
        $"no published workflow '{WorkflowActivityNodes.ChildDefinitionId(node)}' or workflow named as type '{node.Type}' in this account; " +
        "import and publish the child workflow first";
}
