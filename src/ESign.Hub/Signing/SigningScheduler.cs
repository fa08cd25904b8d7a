using ESign.Hub.Email;
using ESign.Hub.SignatureRequests;
using ESign.Hub.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Signing;

/// <summary>
/// Sends due reminders, escalates after the last one, expires requests past their deadline and seals requests whose
/// signers have all signed but whose seal did not happen. All its state is in the database (next reminder time,
/// reminders sent), and each change commits with its emails under the request's concurrency token, so a restart skips
/// nothing and a reminder is never sent twice, even with several hub processes.
/// </summary>
public sealed class SigningScheduler(IServiceScopeFactory scopes, FinalizeSignatureRequest finalize, EmailDelivery delivery,
    TimeProvider clock, IOptions<SigningOptions> options, ILogger<SigningScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, options.Value.SchedulerIntervalSeconds)), clock);
        do
        {
            try
            {
                await RunDueAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Signing scheduler pass failed");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass over everything due now. Returns how many requests it changed.</summary>
    public async Task<int> RunDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        List<(string AccountId, bool TestMode, string Id)> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
            due = (await db.SignatureRequests.IgnoreQueryFilters()
                .Where(r => r.ScheduledAt != null && r.ScheduledAt <= now)
                .OrderBy(r => r.ScheduledAt).Take(500).Select(r => new { r.AccountId, r.TestMode, r.Id }).ToListAsync(ct))
                .Select(r => (r.AccountId, r.TestMode, r.Id)).ToList();
        }
        var changed = 0;
        foreach (var (accountId, testMode, id) in due)
        {
            try
            {
                if (await HandleAsync(accountId, testMode, id, now, ct)) changed++;
            }
            catch (DbUpdateConcurrencyException)
            {
                // Someone else (a signer, another hub process) changed it meanwhile; the next pass sees the new state.
            }
        }
        if (changed > 0) delivery.Wake();
        return changed;
    }

    private async Task<bool> HandleAsync(string accountId, bool testMode, string id, DateTime now, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var access = await services.GetRequiredService<SignerAccessResolver>().LoadRequestAsync(accountId, testMode, id, ct);
        if (access is null) return false;
        var (account, request) = access.Value;
        if (request.AwaitsSealing) return await finalize.TryAsync(accountId, id, ct);

        var db = services.GetRequiredService<HubDbContext>();
        var emails = services.GetRequiredService<SigningEmails>();
        var context = new RequestContext(now, null, "ESign.Hub scheduler");
        if (request.TryExpire(context))
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        if (request.NextReminderAt is not { } at || at > now || request.IsFinished) return false;

        var pending = request.Signers.Where(s => s.Status is SignerStatus.Sent or SignerStatus.Viewed).ToList();
        if (!request.RemindersExhausted)
        {
            foreach (var signer in pending) db.OutboundEmails.Add(emails.Reminder(account, request, signer, now));
            request.RecordReminder(pending, context);
        }
        else
        {
            if (request.EscalationEmail is { } to && request.EscalatedAt is null)
                db.OutboundEmails.Add(emails.Escalation(account, request, to, pending, now));
            request.RecordEscalation(context);
        }
        await db.SaveChangesAsync(ct);
        return true;
    }
}
