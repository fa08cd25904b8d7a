using ESign.Hub.Hosting;

namespace ESign.Hub.Email;

/// <summary>
/// A message to send, written in the same transaction as the change it announces (outbox), then delivered by
/// <see cref="EmailDelivery"/>. With no SMTP server configured, the stored message is the delivery: a person reads it at
/// <c>/dev/outbox</c>.
/// </summary>
public sealed class OutboundEmail : Storage.ITenantOwned
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required bool TestMode { get; init; }
    public string? SignatureRequestId { get; init; }
    /// <summary>invitation, reminder, your_turn, completed, declined, escalation.</summary>
    public required string Kind { get; init; }
    public required string ToName { get; init; }
    public required string ToAddress { get; init; }
    public required string FromName { get; init; }
    public required string Subject { get; init; }
    public required string TextBody { get; init; }
    public required string HtmlBody { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime NextAttemptAt { get; set; }
    /// <summary>A delivery worker owns the message until then (several hub processes may run workers).</summary>
    public DateTime? ClaimedUntil { get; set; }
    /// <summary>Marks the batch one worker claimed.</summary>
    public string? ClaimToken { get; set; }
    public DateTime? SentAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }

    /// <param name="storedIsDelivered">True without SMTP: the local outbox is the mailbox, so storing it delivers it.</param>
    public static OutboundEmail Create(string accountId, bool testMode, string? requestId, string kind, string toName, string toAddress, string fromName,
        string subject, string textBody, string htmlBody, DateTime now, bool storedIsDelivered) => new()
    {
        SentAt = storedIsDelivered ? now : null,
        Id = Ids.New("em"),
        AccountId = accountId,
        TestMode = testMode,
        SignatureRequestId = requestId,
        Kind = kind,
        ToName = toName,
        ToAddress = toAddress,
        FromName = fromName,
        Subject = subject,
        TextBody = textBody,
        HtmlBody = htmlBody,
        CreatedAt = now,
        NextAttemptAt = now,
    };
}
