using ESign.Hub.Storage;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace ESign.Hub.Email;

/// <summary>
/// Delivers the email outbox: over SMTP (MailKit) when configured, otherwise by leaving the message in the local outbox.
/// A worker claims each message before sending, so several hub processes never send one twice at the same time;
/// failures are retried with growing delays, up to 10 attempts.
/// </summary>
public sealed class EmailDelivery(IServiceScopeFactory scopes, IOptions<EmailOptions> options, TimeProvider clock, ILogger<EmailDelivery> logger)
    : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Called after a commit that queued messages, so they leave now instead of at the next poll.</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await DeliverDueAsync(stoppingToken) > 0) { }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Email delivery pass failed");
            }
            try
            {
                await _wake.WaitAsync(TimeSpan.FromSeconds(2), stoppingToken);
                // Let a burst of commits queue their messages, then deliver them in one pass: under load this keeps the
                // delivery to a few statements a second instead of one per signature request.
                await Task.Delay(TimeSpan.FromMilliseconds(250), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Sends what is due; returns how many messages it handled.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        var due = db.OutboundEmails.IgnoreQueryFilters()
            .Where(e => e.SentAt == null && e.Attempts < 10 && e.NextAttemptAt <= now && (e.ClaimedUntil == null || e.ClaimedUntil < now));
        if (!options.Value.UsesSmtp)
        {
            // The local outbox is the mailbox: a message is delivered once it is stored. One statement marks a batch.
            return await db.WriteAsync(() => due.OrderBy(e => e.CreatedAt).Take(500)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.SentAt, now).SetProperty(e => e.Attempts, e => e.Attempts + 1), ct));
        }

        // Claim a batch with one statement, so two hub processes never send the same message at the same time.
        var claim = Guid.NewGuid().ToString("N");
        var claimed = await db.WriteAsync(() => db.OutboundEmails.IgnoreQueryFilters()
            .Where(e => due.OrderBy(d => d.CreatedAt).Take(50).Select(d => d.Id).Contains(e.Id))
            .ExecuteUpdateAsync(u => u.SetProperty(e => e.ClaimedUntil, now.AddMinutes(2)).SetProperty(e => e.ClaimToken, claim), ct));
        if (claimed == 0) return 0;
        var messages = await db.OutboundEmails.IgnoreQueryFilters().AsNoTracking().Where(e => e.ClaimToken == claim).ToListAsync(ct);
        foreach (var message in messages)
        {
            string? error = null;
            try
            {
                await SendSmtpAsync(message, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error = e.Message;
                logger.LogWarning("Email {Id} to {To} failed (attempt {Attempt}): {Error}", message.Id, message.ToAddress, message.Attempts + 1, e.Message);
            }
            var attempts = message.Attempts + 1;
            var sentAt = error is null ? clock.GetUtcNow().UtcDateTime : (DateTime?)null;
            var next = now.AddSeconds(Math.Min(3600, 15 * Math.Pow(2, attempts)));
            await db.WriteAsync(() => db.OutboundEmails.IgnoreQueryFilters().Where(e => e.Id == message.Id)
                .ExecuteUpdateAsync(u => u
                    .SetProperty(e => e.SentAt, sentAt)
                    .SetProperty(e => e.Attempts, attempts)
                    .SetProperty(e => e.LastError, error)
                    .SetProperty(e => e.NextAttemptAt, next)
                    .SetProperty(e => e.ClaimedUntil, (DateTime?)null), CancellationToken.None));
        }
        return messages.Count;
    }

    private async Task SendSmtpAsync(OutboundEmail message, CancellationToken ct)
    {
        var smtp = options.Value.Smtp;
        var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress(message.FromName, options.Value.FromAddress));
        mime.To.Add(new MailboxAddress(message.ToName, message.ToAddress));
        mime.Subject = message.Subject;
        mime.MessageId = $"{message.Id}@esign-hub";
        mime.Body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody }.ToMessageBody();

        using var client = new SmtpClient { Timeout = 30_000 };
        var security = smtp.Security.ToLowerInvariant() switch
        {
            "tls" => SecureSocketOptions.SslOnConnect,
            "none" => SecureSocketOptions.None,
            _ => SecureSocketOptions.StartTls,
        };
        await client.ConnectAsync(smtp.Host!, smtp.Port, security, ct);
        if (!string.IsNullOrEmpty(smtp.Username)) await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", ct);
        await client.SendAsync(mime, ct);
        await client.DisconnectAsync(quit: true, ct);
    }
}
