using ESign.Hub.Auth;
using ESign.Hub.Documents;
using ESign.Hub.Email;
using ESign.Hub.Sealing;
using ESign.Hub.SignatureRequests;
using ESign.Hub.Storage;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Signing;

/// <summary>
/// Turns a request whose signers have all signed into a completed one: draws the values into the PDF, appends the audit
/// certificate, seals it, stores it as a new document and tells every signer. Runs right after the last signature and,
/// should that fail or the process stop, again from the scheduler with back-off; after
/// <see cref="SignatureRequest.MaxSealingAttempts"/> failures the request gets a sealing incident an operator retries.
/// </summary>
public sealed class FinalizeSignatureRequest(IServiceScopeFactory scopes, PdfSealer sealer, EmailDelivery delivery, TimeProvider clock,
    ILogger<FinalizeSignatureRequest> logger)
{
    /// <summary>Returns true when the request is completed (now or before).</summary>
    public async Task<bool> TryAsync(string accountId, string requestId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<HubDbContext>();
        // Finalization acts for no credential (the last signer's page, the scheduler): it works in the request's own mode.
        var testMode = await db.SignatureRequests.IgnoreQueryFilters().Where(r => r.Id == requestId && r.AccountId == accountId)
            .Select(r => (bool?)r.TestMode).FirstOrDefaultAsync(ct);
        if (testMode is null) return false;
        services.GetRequiredService<TenantScope>().ActFor(accountId, testMode.Value);
        var request = await db.SignatureRequests
            .Include(r => r.Signers).Include(r => r.Fields).Include(r => r.Events).Include(r => r.Metadata)
            .AsSplitQuery().FirstOrDefaultAsync(r => r.Id == requestId, ct);
        if (request is null) return false;
        if (request.Status == SignatureRequestStatus.Completed) return true;
        if (!request.AwaitsSealing || request.SealingIncidentAt is not null) return false; // an incident waits for an operator
        try
        {
            var account = await db.Accounts.FirstAsync(a => a.Id == accountId, ct);
            var documents = services.GetRequiredService<DocumentStore>();
            var original = await db.Documents.AsNoTracking().FirstAsync(d => d.Id == request.DocumentId, ct);
            var bytes = await documents.ReadAsync(original, ct)
                ?? throw new InvalidOperationException($"The bytes of document {original.Id} are missing from the blob store.");
            var now = clock.GetUtcNow().UtcDateTime;

            var sealedPdf = await sealer.SealAsync(Describe(request, account.Name, original, bytes, now), ct);
            var stored = await documents.AddSealedAsync(accountId, request.TestMode, sealedPdf.Content, $"{request.Title} - signed.pdf", ct);
            if (stored.Document is null) throw new InvalidOperationException($"The sealed PDF did not pass inspection: {stored.Problem}");

            var context = new RequestContext(now, null, "ESign.Hub");
            request.Complete(stored.Document.Id, sealedPdf.Sha256, context);
            var emails = services.GetRequiredService<SigningEmails>();
            foreach (var signer in request.Signers) db.OutboundEmails.Add(emails.Completed(account, request, signer, now));
            await db.SaveChangesAsync(ct);
            delivery.Wake();
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another process completed it at the same moment.
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Sealing signature request {RequestId} failed", requestId);
            await RecordFailureAsync(accountId, testMode.Value, requestId, e.Message, ct);
            return false;
        }
    }

    /// <summary>Counts the failure on the request (back-off, then an incident), in a fresh scope: the failed one may hold half-made changes.</summary>
    private async Task RecordFailureAsync(string accountId, bool testMode, string requestId, string error, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantScope>().ActFor(accountId, testMode);
            var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
            var request = await db.SignatureRequests.Include(r => r.Signers).Include(r => r.Events)
                .AsSplitQuery().FirstOrDefaultAsync(r => r.Id == requestId, ct);
            if (request is null) return;
            var context = new RequestContext(clock.GetUtcNow().UtcDateTime, null, "ESign.Hub");
            if (request.RecordSealingFailure(error, context))
                logger.LogError("Sealing signature request {RequestId} failed {Attempts} times; it waits for an operator to retry: {Error}",
                    requestId, request.SealingAttempts, error);
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Changed meanwhile (completed by another process, or another failure counted): the next attempt sees it.
        }
    }

    private static SealInput Describe(SignatureRequest request, string accountName, Document original, byte[] bytes, DateTime now)
    {
        var signers = request.Signers.ToDictionary(s => s.Id);
        var fields = request.Fields.Where(f => f.Value is not null).Select(f =>
        {
            var signer = signers[f.SignerId];
            return f.Type switch
            {
                FieldType.Signature => new StampedField(f.Type, f.Page, f.X, f.Y, f.Width, f.Height, null, signer.Signature?.Png, null),
                FieldType.Initials => new StampedField(f.Type, f.Page, f.X, f.Y, f.Width, f.Height, null, signer.Initials?.Png, null),
                FieldType.Checkbox => new StampedField(f.Type, f.Page, f.X, f.Y, f.Width, f.Height, null, null, f.Value == "true"),
                _ => new StampedField(f.Type, f.Page, f.X, f.Y, f.Width, f.Height, f.Value, null, null),
            };
        }).Where(f => f.Image is not null || f.Text is not null || f.Checked is not null).ToList();

        var auditSigners = request.Signers.OrderBy(s => s.Position).Select(s => new AuditSigner(
            s.Name, s.Email, s.Role, s.SignedIpAddress, s.SignedUserAgent, s.ConsentedAt, s.SignedAt, s.Authentication ?? "Email link")).ToList();

        // The event timeline, plus each signer's consent, which the signer object records.
        var timeline = request.Events
            .Select(e => new AuditTimelineEntry(e.OccurredAt, e.Type, e.SignerId is { } id && signers.TryGetValue(id, out var s) ? $"{s.Name} <{s.Email}>" : "Sender",
                e.IpAddress, e.UserAgent))
            .Concat(request.Signers.Where(s => s.ConsentedAt is not null).Select(s =>
                new AuditTimelineEntry(s.ConsentedAt!.Value, "consented", $"{s.Name} <{s.Email}>", s.ConsentIpAddress, s.ConsentUserAgent)))
            .Append(new AuditTimelineEntry(now, "completed", "ESign.Hub", null, null))
            .OrderBy(e => e.OccurredAt).ToList();

        return new SealInput(bytes, original.Sha256, request.Id, request.Title, accountName, request.TestMode, fields, auditSigners, timeline, now);
    }
}
