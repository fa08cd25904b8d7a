using ESign.Hub.Storage;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace ESign.Hub.Email;

/// <summary>
/// Delivers the email outbox over SMTP (MailKit) when configured; without SMTP the local outbox needs no delivery.
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

    /// <summary>Sends what is due over SMTP; returns how many messages it handled.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken ct)
    {
        // Without SMTP a message is delivered the moment it is stored in the local outbox (see SigningEmails).
        if (!options.Value.UsesSmtp) return 0;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        var claimedUntil = now.AddMinutes(2);
        var claim = Guid.NewGuid().ToString("N");

        // Claim a batch with one statement, so two hub processes never send the same message at the same time.
        var due = db.OutboundEmails.IgnoreQueryFilters()
            .Where(e => e.SentAt == null && e.Attempts < 10 && e.NextAttemptAt <= now && (e.ClaimedUntil == null || e.ClaimedUntil < now))
            .OrderBy(e => e.CreatedAt).Take(50).Select(e => e.Id);
        var claimed = await db.WriteAsync(() => db.OutboundEmails.IgnoreQueryFilters().Where(e => due.Contains(e.Id))
            .ExecuteUpdateAsync(u => u.SetProperty(e => e.ClaimedUntil, e => claimedUntil).SetProperty(e => e.ClaimToken, e => claim), ct));
        if (claimed == 0) return 0;

        var messages = await db.OutboundEmails.IgnoreQueryFilters().Where(e => e.ClaimToken == claim).ToListAsync(ct);
        foreach (var message in messages)
        {
            try
            {
                await SendSmtpAsync(message, ct);
                message.SentAt = clock.GetUtcNow().UtcDateTime;
                message.LastError = null;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                message.LastError = e.Message;
                message.NextAttemptAt = now.AddSeconds(Math.Min(3600, 15 * Math.Pow(2, message.Attempts + 1)));
                logger.LogWarning("Email {Id} to {To} failed (attempt {Attempt}): {Error}", message.Id, message.ToAddress, message.Attempts + 1, e.Message);
            }
            message.Attempts++;
            message.ClaimedUntil = null;
            await db.SaveChangesAsync(CancellationToken.None);
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
