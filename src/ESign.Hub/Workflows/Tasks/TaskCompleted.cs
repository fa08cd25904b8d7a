using ESign.Hub.Storage;
using ESign.Hub.Workflows.Runs;
using ESign.Hub.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Workflows.Tasks;

/// <summary>
/// Ends the waits of Elsa.RunTask on completed tasks. The complete endpoint resumes the run itself; this source catches a
/// task whose completion was stored but whose run was not resumed (the hub stopped in between), so none is left waiting.
/// </summary>
public sealed class TaskCompleted : IBookmarkSource
{
    public string BookmarkName => RunTaskActivity.BookmarkName;

    public async Task<IReadOnlyList<BookmarkResume>> FindResumableAsync(HubDbContext db, CancellationToken ct)
    {
        var completed = await (
            from b in db.WorkflowBookmarks.IgnoreQueryFilters()
            join t in db.WorkflowTasks.IgnoreQueryFilters() on b.Key equals t.Id
            where b.Name == RunTaskActivity.BookmarkName && b.ResumedAt == null && t.AccountId == b.AccountId && t.Status == WorkflowTaskStatus.Completed
            orderby b.Id
            select new { b.Id, b.RunId, t.Result }).Take(100).ToListAsync(ct);
        return [.. completed.Select(c => new BookmarkResume(c.Id, c.RunId, WorkflowTaskEndpoints.ResumePayload(c.Result)))];
    }
}
