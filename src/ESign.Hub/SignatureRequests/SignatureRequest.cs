using ESign.Hub.Hosting;

namespace ESign.Hub.SignatureRequests;

public enum SignatureRequestStatus { Pending, InProgress, Completed, Declined, Expired, Canceled }

public enum SignerStatus { Waiting, Sent, Viewed, Signed, Declined }

public enum SigningOrder { Parallel, Sequential }

public enum FieldType { Signature, Initials, DateSigned, Text, Checkbox, Name, Email }

/// <summary>
/// A document sent to signers. The aggregate owns its status rules: signers, fields and the event timeline change only
/// through its methods, and every change records the event that explains it.
/// </summary>
public sealed class SignatureRequest : Storage.ITenantOwned
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required string DocumentId { get; init; }
    public string? TemplateId { get; init; }
    public required string Title { get; init; }
    public string? Message { get; init; }
    public SigningOrder SigningOrder { get; init; }
    public SignatureRequestStatus Status { get; private set; }
    public required bool TestMode { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; private set; }
    public DateTime? ExpiresAt { get; init; }
    public ReminderSettings? Reminders { get; init; }
    /// <summary>Who hears about it when the last reminder went unanswered.</summary>
    public string? EscalationEmail { get; init; }
    /// <summary>When the scheduler should next remind the signers whose turn it is; null when no reminder is due.</summary>
    public DateTime? NextReminderAt { get; private set; }
    public int RemindersSent { get; private set; }
    /// <summary>
    /// When the scheduler next has work on this request: the earlier of the next reminder and the expiry, or a minute
    /// after the last signature as a fallback for sealing; null once finished. One indexed column serves every due query.
    /// </summary>
    public DateTime? ScheduledAt { get; private set; }
    public DateTime? EscalatedAt { get; private set; }
    public DateTime? CanceledAt { get; private set; }
    public DateTime? CompletedAt { get; private set; }
    public string? SignedDocumentId { get; private set; }
    public string? SignedDocumentSha256 { get; private set; }
    /// <summary>Failed sealing attempts since the last signature or the last operator retry.</summary>
    public int SealingAttempts { get; private set; }
    /// <summary>Why the last sealing attempt failed (for the operator); null when none failed.</summary>
    public string? SealingError { get; private set; }
    /// <summary>
    /// When sealing was given up after <see cref="MaxSealingAttempts"/> failures: the request stays in progress and the
    /// scheduler leaves it alone until an operator retries (POST …/retry-sealing).
    /// </summary>
    public DateTime? SealingIncidentAt { get; private set; }
    /// <summary>Renewed by every change; the database rejects a save based on a stale copy (optimistic concurrency).</summary>
    public Guid Version { get; private set; } = Guid.NewGuid();

    public List<Signer> Signers { get; init; } = [];
    public List<SignatureField> Fields { get; init; } = [];
    public List<RequestEvent> Events { get; init; } = [];
    public List<RequestMetadata> Metadata { get; init; } = [];

    public bool IsFinished => Status is SignatureRequestStatus.Completed or SignatureRequestStatus.Declined
        or SignatureRequestStatus.Expired or SignatureRequestStatus.Canceled;

    /// <summary>Every signer has signed; the signed PDF is still to be produced (then the request completes).</summary>
    public bool AwaitsSealing => Status == SignatureRequestStatus.InProgress && Signers.All(s => s.Status == SignerStatus.Signed);

    /// <summary>
    /// Sends a new request: the signers whose turn it is (every signer in parallel order, the lowest order number in
    /// sequential order) become <c>sent</c>, the rest <c>waiting</c>.
    /// </summary>
    public static SignatureRequest Send(NewSignatureRequest spec, RequestContext context)
    {
        var now = context.Now;
        var request = new SignatureRequest
        {
            Id = Ids.New("sr"),
            AccountId = spec.AccountId,
            DocumentId = spec.DocumentId,
            TemplateId = spec.TemplateId,
            Title = spec.Title,
            Message = spec.Message,
            SigningOrder = spec.SigningOrder,
            Status = SignatureRequestStatus.Pending,
            TestMode = spec.TestMode,
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = spec.ExpiresAt,
            Reminders = spec.Reminders,
            EscalationEmail = spec.EscalationEmail,
            NextReminderAt = spec.Reminders is { Max: > 0 } r ? now.AddDays(r.AfterDays) : null,
        };
        for (var i = 0; i < spec.Signers.Count; i++)
        {
            var s = spec.Signers[i];
            request.Signers.Add(new Signer
            {
                Id = s.Id,
                AccountId = spec.AccountId,
                TestMode = spec.TestMode,
                SignatureRequestId = request.Id,
                Position = i,
                Name = s.Name,
                Email = s.Email,
                Role = s.Role,
                Order = s.Order,
                Status = SignerStatus.Waiting,
                AccessTokenHash = s.Link.TokenHash,
                AccessTokenSealed = s.Link.SealedToken,
                AccessCodeHash = s.AccessCodeHash,
            });
        }
        foreach (var f in spec.Fields)
        {
            request.Fields.Add(new SignatureField
            {
                Id = Ids.New("fld"),
                AccountId = spec.AccountId,
                TestMode = spec.TestMode,
                SignatureRequestId = request.Id,
                SignerId = request.Signers[f.SignerPosition].Id,
                Type = f.Type,
                Page = f.Page,
                X = f.X,
                Y = f.Y,
                Width = f.Width,
                Height = f.Height,
                Required = f.Required,
                Label = f.Label,
            });
        }
        foreach (var (key, value) in spec.Metadata)
            request.Metadata.Add(new RequestMetadata { SignatureRequestId = request.Id, AccountId = spec.AccountId, TestMode = spec.TestMode, Key = key, Value = value });
        request.Record("sent", null, context);
        request.SendToNextSigners(context);
        return request;
    }

    /// <summary>Signers who must sign before <paramref name="signer"/> can (empty when it is their turn).</summary>
    public IReadOnlyList<Signer> SignersBefore(Signer signer) =>
        SigningOrder == SigningOrder.Parallel
            ? []
            : Signers.Where(s => s.Order < signer.Order && s.Status != SignerStatus.Signed).OrderBy(s => s.Order).ThenBy(s => s.Position).ToList();

    /// <summary>The signer opened the document (recorded once).</summary>
    public void MarkViewed(Signer signer, RequestContext context)
    {
        if (signer.Status != SignerStatus.Sent) return;
        signer.Status = SignerStatus.Viewed;
        signer.ViewedAt = context.Now;
        Record("viewed", signer.Id, context);
    }

    /// <summary>The signer agreed to sign electronically (ESIGN/UETA); nothing else can happen before.</summary>
    public void RecordConsent(Signer signer, RequestContext context)
    {
        if (signer.ConsentedAt is not null) return;
        signer.ConsentedAt = context.Now;
        signer.ConsentIpAddress = context.IpAddress;
        signer.ConsentUserAgent = context.UserAgent;
        Touch(context);
    }

    /// <summary>
    /// Records a signature with the signer's field values. The next signers in a sequential flow become <c>sent</c>;
    /// returns them so they can be told it is their turn.
    /// </summary>
    public IReadOnlyList<Signer> Sign(Signer signer, IReadOnlyDictionary<string, string?> values, AdoptedMark? signature, AdoptedMark? initials,
        string authentication, RequestContext context)
    {
        if (!CanAct(signer)) throw new InvalidOperationException($"Signer {signer.Id} cannot sign now.");
        foreach (var field in Fields.Where(f => f.SignerId == signer.Id))
        {
            field.Value = field.Type switch
            {
                FieldType.DateSigned => context.Now.ToString("yyyy-MM-dd"),
                FieldType.Name => signer.Name,
                FieldType.Email => signer.Email,
                FieldType.Signature => signature is null ? null : "signed",
                FieldType.Initials => initials is null ? null : "initialed",
                _ => values.GetValueOrDefault(field.Id),
            };
        }
        signer.Status = SignerStatus.Signed;
        signer.SignedAt = context.Now;
        signer.SignedIpAddress = context.IpAddress;
        signer.SignedUserAgent = context.UserAgent;
        signer.Authentication = authentication;
        signer.Signature = signature;
        signer.Initials = initials;
        if (Status == SignatureRequestStatus.Pending) Status = SignatureRequestStatus.InProgress;
        Record("signed", signer.Id, context);
        return SendToNextSigners(context);
    }

    /// <summary>The signer refused; the whole request ends as declined.</summary>
    public void Decline(Signer signer, string reason, RequestContext context)
    {
        if (!CanAct(signer)) throw new InvalidOperationException($"Signer {signer.Id} cannot decline now.");
        signer.Status = SignerStatus.Declined;
        signer.DeclinedAt = context.Now;
        signer.DeclineReason = reason;
        Status = SignatureRequestStatus.Declined;
        NextReminderAt = null;
        Record("declined", signer.Id, context);
    }

    /// <summary>Whether <paramref name="signer"/> may sign or decline now: the request is open and it is their turn.</summary>
    public bool CanAct(Signer signer) => !IsFinished && signer.Status is SignerStatus.Sent or SignerStatus.Viewed;

    /// <summary>Cancels an open request. A finished request cannot be canceled.</summary>
    public bool TryCancel(RequestContext context)
    {
        if (IsFinished) return false;
        Status = SignatureRequestStatus.Canceled;
        CanceledAt = context.Now;
        NextReminderAt = null;
        Record("canceled", null, context);
        return true;
    }

    /// <summary>Ends an open request whose deadline passed.</summary>
    public bool TryExpire(RequestContext context)
    {
        if (IsFinished || AwaitsSealing || ExpiresAt is not { } at || at > context.Now) return false;
        Status = SignatureRequestStatus.Expired;
        NextReminderAt = null;
        Record("expired", null, context);
        return true;
    }

    /// <summary>
    /// The reminder that was due has gone out to <paramref name="reminded"/>. Schedules the next one; after the last,
    /// schedules the escalation check one interval later.
    /// </summary>
    public void RecordReminder(IReadOnlyList<Signer> reminded, RequestContext context)
    {
        RemindersSent++;
        NextReminderAt = context.Now.AddDays(Reminders!.EveryDays);
        foreach (var signer in reminded) Record("reminded", signer.Id, context);
        Touch(context);
    }

    /// <summary>The last reminder went unanswered: escalate once, and stop reminding.</summary>
    public void RecordEscalation(RequestContext context)
    {
        EscalatedAt = context.Now;
        NextReminderAt = null;
        Record("escalated", null, context);
    }

    public bool RemindersExhausted => Reminders is null || RemindersSent >= Reminders.Max;

    public const int MaxSealingAttempts = 6;

    /// <summary>
    /// A sealing attempt failed. The next is scheduled with exponential back-off (1, 2, 4, 8, 16 minutes); after
    /// <see cref="MaxSealingAttempts"/> failures an incident is opened instead (timeline and webhook
    /// <c>sealing_failed</c>). Returns true when this failure opened the incident.
    /// </summary>
    public bool RecordSealingFailure(string error, RequestContext context)
    {
        if (!AwaitsSealing || SealingIncidentAt is not null) return false;
        SealingAttempts++;
        SealingError = error.Length > 1000 ? error[..1000] : error;
        if (SealingAttempts >= MaxSealingAttempts)
        {
            SealingIncidentAt = context.Now;
            Record("sealing_failed", null, context);
            return true;
        }
        Touch(context);
        ScheduledAt = context.Now.AddMinutes(Math.Pow(2, SealingAttempts - 1));
        return false;
    }

    /// <summary>An operator retries sealing after an incident: the attempts start again, the first right away.</summary>
    public void RetrySealing(RequestContext context)
    {
        if (SealingIncidentAt is null || !AwaitsSealing)
            throw new InvalidOperationException($"Request {Id} has no sealing incident to retry.");
        SealingAttempts = 0;
        SealingIncidentAt = null;
        Record("sealing_retried", null, context);
        ScheduledAt = context.Now;
    }

    /// <summary>The sealed PDF exists: the request is completed.</summary>
    public void Complete(string signedDocumentId, string sha256, RequestContext context)
    {
        if (!AwaitsSealing) throw new InvalidOperationException($"Request {Id} is not waiting to be sealed.");
        Status = SignatureRequestStatus.Completed;
        CompletedAt = context.Now;
        SignedDocumentId = signedDocumentId;
        SignedDocumentSha256 = sha256;
        NextReminderAt = null;
        SealingError = null;
        Record("completed", null, context);
    }

    /// <summary>In sequential order, everyone holding the lowest order number not yet signed gets their turn.</summary>
    private List<Signer> SendToNextSigners(RequestContext context)
    {
        var unsigned = Signers.Where(s => s.Status != SignerStatus.Signed).ToList();
        if (unsigned.Count == 0) return [];
        var nextOrder = unsigned.Min(s => s.Order);
        var newlySent = unsigned
            .Where(s => s.Status == SignerStatus.Waiting && (SigningOrder == SigningOrder.Parallel || s.Order == nextOrder))
            .ToList();
        foreach (var signer in newlySent)
        {
            signer.Status = SignerStatus.Sent;
            signer.SentAt = context.Now;
        }
        return newlySent;
    }

    private void Touch(RequestContext context)
    {
        UpdatedAt = context.Now;
        Version = Guid.NewGuid();
        ScheduledAt = IsFinished ? null
            : AwaitsSealing ? (SealingIncidentAt is null ? context.Now.AddMinutes(1) : null)
            : (ExpiresAt, NextReminderAt) switch
            {
                ({ } e, { } r) => e < r ? e : r,
                ({ } e, null) => e,
                (null, var r) => r,
            };
    }

    private void Record(string type, string? signerId, RequestContext context)
    {
        Touch(context);
        Events.Add(new RequestEvent
        {
            Id = Ids.New("evt"),
            AccountId = AccountId,
            TestMode = TestMode,
            SignatureRequestId = Id,
            Type = type,
            SignerId = signerId,
            OccurredAt = context.Now,
            IpAddress = context.IpAddress,
            UserAgent = context.UserAgent,
        });
    }
}

/// <summary>A signature or initials the signer adopted: how (typed or drawn), the typed text, and the PNG we stamp.</summary>
public sealed record AdoptedMark(string Method, string? TypedText, byte[] Png);

/// <summary>A signing link: the hash we look it up by and the encrypted token we put into reminder emails.</summary>
public sealed record SignerLink(string TokenHash, string SealedToken);

/// <summary>Who did something and when: written into every event.</summary>
public sealed record RequestContext(DateTime Now, string? IpAddress, string? UserAgent);

public sealed record ReminderSettings(int AfterDays, int EveryDays, int Max);

/// <summary>Everything needed to send a request, already validated against the document and signers.</summary>
public sealed record NewSignatureRequest(
    string AccountId,
    string DocumentId,
    string? TemplateId,
    string Title,
    string? Message,
    SigningOrder SigningOrder,
    bool TestMode,
    DateTime? ExpiresAt,
    ReminderSettings? Reminders,
    string? EscalationEmail,
    IReadOnlyList<NewSigner> Signers,
    IReadOnlyList<NewField> Fields,
    IReadOnlyDictionary<string, string> Metadata);

public sealed record NewSigner(string Id, string Name, string Email, int Order, string? Role, SignerLink Link, string? AccessCodeHash);

public sealed record NewField(FieldType Type, int SignerPosition, int Page, double X, double Y, double Width, double Height, bool Required, string? Label);

public sealed class Signer : Storage.ITenantOwned
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required bool TestMode { get; init; }
    public required string SignatureRequestId { get; init; }
    /// <summary>0-based position in the request's signer list; fields address signers by it.</summary>
    public int Position { get; init; }
    public required string Name { get; init; }
    public required string Email { get; init; }
    public string? Role { get; init; }
    public int Order { get; init; }
    public SignerStatus Status { get; internal set; }
    public DateTime? SentAt { get; internal set; }
    public DateTime? ViewedAt { get; internal set; }
    public DateTime? ConsentedAt { get; internal set; }
    public string? ConsentIpAddress { get; internal set; }
    public string? ConsentUserAgent { get; internal set; }
    public DateTime? SignedAt { get; internal set; }
    public string? SignedIpAddress { get; internal set; }
    public string? SignedUserAgent { get; internal set; }
    /// <summary>How the signer proved who they were, for the audit certificate ("Email link", "… + access code").</summary>
    public string? Authentication { get; internal set; }
    public AdoptedMark? Signature { get; internal set; }
    public AdoptedMark? Initials { get; internal set; }
    public DateTime? DeclinedAt { get; internal set; }
    public string? DeclineReason { get; internal set; }
    /// <summary>SHA-256 of the signing link's secret: the link is looked up by it.</summary>
    public required string AccessTokenHash { get; init; }
    /// <summary>The signing link's secret encrypted with the platform key, so reminders can carry the same link.</summary>
    public required string AccessTokenSealed { get; init; }
    /// <summary>PBKDF2 hash of the optional access code the sender gave this signer out of band.</summary>
    public string? AccessCodeHash { get; init; }
    public int AccessCodeFailures { get; internal set; }

    /// <summary>Counts a wrong access code; five in a row lock the link.</summary>
    public void RecordAccessCodeFailure() => AccessCodeFailures++;

    public bool AccessCodeLocked => AccessCodeFailures >= 5;
}

public sealed class SignatureField : Storage.ITenantOwned
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required bool TestMode { get; init; }
    public required string SignatureRequestId { get; init; }
    public required string SignerId { get; init; }
    public FieldType Type { get; init; }
    /// <summary>1-based page number.</summary>
    public int Page { get; init; }
    /// <summary>Position and size in PDF points, from the page's top-left corner.</summary>
    public double X { get; init; }
    public double Y { get; init; }
    public double Width { get; init; }
    public double Height { get; init; }
    public bool Required { get; init; }
    public string? Label { get; init; }
    public string? Value { get; internal set; }
}

/// <summary>One line of a request's timeline. Written in the same transaction as the change it records.</summary>
public sealed class RequestEvent : Storage.ITenantOwned
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required bool TestMode { get; init; }
    public required string SignatureRequestId { get; init; }
    public required string Type { get; init; }
    public string? SignerId { get; init; }
    public DateTime OccurredAt { get; init; }
    public string? IpAddress { get; init; }
    public string? UserAgent { get; init; }
    /// <summary>When the webhook dispatcher turned this entry into deliveries (it is the outbox of webhooks).</summary>
    public DateTime? DispatchedAt { get; set; }
    /// <summary>A dispatcher process owns the entry until then.</summary>
    public DateTime? DispatchClaimedUntil { get; set; }
    public string? DispatchClaim { get; set; }
}

/// <summary>A caller's key/value pair on a request; a row of its own so lists can filter on it with an index.</summary>
public sealed class RequestMetadata : Storage.ITenantOwned
{
    public required string SignatureRequestId { get; init; }
    public required string AccountId { get; init; }
    public required bool TestMode { get; init; }
    public required string Key { get; init; }
    public required string Value { get; init; }
}
