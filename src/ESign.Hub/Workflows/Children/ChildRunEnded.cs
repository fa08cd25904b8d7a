using ESign.Hub.Storage;
using ESign.Hub.Workflows.Runs;
using ESign.Hub.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Workflows.Children;

/// <summary>
/// Ends the waits of parents on their child runs: a bookmark resumes once its child has completed, faulted or been
/// canceled. Like the signature source it compares state, so a parent resumes after any restart, however the child ended.
/// The payload carries the child's status, its workflow outputs, the outcomes it completed with and its fault.
/// </summary>
public sealed class ChildRunEnded : IBookmarkSource
{
    public string BookmarkName => ChildRuns.BookmarkName;

    public async Task<IReadOnlyList<BookmarkResume>> FindResumableAsync(HubDbContext db, CancellationToken ct)
    {
        var ended = await (
            from b in db.WorkflowBookmarks.IgnoreQueryFilters()
            join r in db.WorkflowRuns.IgnoreQueryFilters() on b.Key equals r.Id
            where b.Name == ChildRuns.BookmarkName && b.ResumedAt == null && r.AccountId == b.AccountId && r.TestMode == b.TestMode
                && (r.Status == WorkflowRunStatus.Completed || r.Status == WorkflowRunStatus.Faulted || r.Status == WorkflowRunStatus.Canceled)
            orderby b.Id
            select new { b.Id, b.RunId, ChildId = r.Id, r.Status, r.State, r.FaultMessage }).Take(100).ToListAsync(ct);
        return [.. ended.Select(e =>
        {
            var state = WorkflowState.FromJson(e.State);
            return new BookmarkResume(e.Id, e.RunId, new Dictionary<string, object?>
            {
                ["child_run_id"] = e.ChildId,
                ["status"] = e.Status.ToString().ToLowerInvariant(),
                ["output"] = state.Output,
                ["outcomes"] = (state.Outcomes ?? []).Cast<object?>().ToList(),
                ["fault"] = e.FaultMessage,
            });
        })];
    }
}
