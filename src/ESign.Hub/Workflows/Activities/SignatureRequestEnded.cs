using ESign.Hub.SignatureRequests;
using ESign.Hub.Storage;
using ESign.Hub.Workflows.Runs;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Workflows.Activities;

/// <summary>
/// Ends the waits of Hub.ESign.WaitForSignature: a bookmark resumes once its signature request has ended. This compares
/// state (the request's status), not a stream of events, so nothing is missed across restarts and a late bookmark still
/// sees an early end. The payload is what <see cref="WaitForSignatureActivity.ResumeAsync"/> reads.
/// </summary>
public sealed class SignatureRequestEnded : IBookmarkSource
{
    public string BookmarkName => WaitForSignatureActivity.BookmarkName;

    public async Task<IReadOnlyList<BookmarkResume>> FindResumableAsync(HubDbContext db, CancellationToken ct)
    {
        var ended = await (
            from b in db.WorkflowBookmarks.IgnoreQueryFilters()
            join r in db.SignatureRequests.IgnoreQueryFilters() on b.Key equals r.Id
            where b.Name == WaitForSignatureActivity.BookmarkName && b.ResumedAt == null && r.AccountId == b.AccountId
                && (r.Status == SignatureRequestStatus.Completed || r.Status == SignatureRequestStatus.Declined
                    || r.Status == SignatureRequestStatus.Expired || r.Status == SignatureRequestStatus.Canceled)
            select new { b.Id, b.RunId, r.Status, r.SignedDocumentId }).Take(500).ToListAsync(ct);
        return [.. ended.Select(e => new BookmarkResume(e.Id, e.RunId, new Dictionary<string, object?>
        {
            ["status"] = e.Status.ToString().ToLowerInvariant(),
            ["signed_document_id"] = e.SignedDocumentId,
        }))];
    }
}
