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
public sealed class SignatureRequest
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required string DocumentId { get; init; }
    public string? TemplateId { get; init; }
    public required string Title { get; init; }
    public string? Message { get; init; }
    public SigningOrder SigningOrder { get; init; }
    public SignatureRequestStatus Status { get; private set; }
    public bool TestMode { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; private set; }
    public DateTime? ExpiresAt { get; init; }
    public ReminderSettings? Reminders { get; init; }
    public DateTime? CanceledAt { get; private set; }
    public DateTime? CompletedAt { get; private set; }
    public string? SignedDocumentId { get; private set; }
    /// <summary>Renewed by every change; the database rejects a save based on a stale copy (optimistic concurrency).</summary>
    public Guid Version { get; private set; } = Guid.NewGuid();

    public List<Signer> Signers { get; init; } = [];
    public List<SignatureField> Fields { get; init; } = [];
    public List<RequestEvent> Events { get; init; } = [];
    public List<RequestMetadata> Metadata { get; init; } = [];

    public bool IsFinished => Status is SignatureRequestStatus.Completed or SignatureRequestStatus.Declined
        or SignatureRequestStatus.Expired or SignatureRequestStatus.Canceled;

    /// <summary>
    /// Sends a new request: the signers whose turn it is (every signer in parallel order, the lowest order number in
    /// sequential order) become <c>sent</c>, the rest <c>waiting</c>. Returns each signer's signing-link secret, which
    /// is stored only as a hash.
    /// </summary>
    public static (SignatureRequest Request, Dictionary<string, string> SigningTokens) Send(NewSignatureRequest spec, RequestContext context)
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
        };
        var tokens = new Dictionary<string, string>();
        var firstOrder = spec.Signers.Min(s => s.Order);
        for (var i = 0; i < spec.Signers.Count; i++)
        {
            var s = spec.Signers[i];
            var token = Auth.SecretTokens.NewSecret("");
            var itsTurn = spec.SigningOrder == SigningOrder.Parallel || s.Order == firstOrder;
            var signer = new Signer
            {
                Id = Ids.New("sgn"),
                AccountId = spec.AccountId,
                SignatureRequestId = request.Id,
                Position = i,
                Name = s.Name,
                Email = s.Email,
                Role = s.Role,
                Order = s.Order,
                Status = itsTurn ? SignerStatus.Sent : SignerStatus.Waiting,
                SentAt = itsTurn ? now : null,
                AccessTokenHash = Auth.SecretTokens.Hash(token),
            };
            tokens[signer.Id] = token;
            request.Signers.Add(signer);
        }
        foreach (var f in spec.Fields)
        {
            request.Fields.Add(new SignatureField
            {
                Id = Ids.New("fld"),
                AccountId = spec.AccountId,
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
            request.Metadata.Add(new RequestMetadata { SignatureRequestId = request.Id, AccountId = spec.AccountId, Key = key, Value = value });
        request.Record("sent", null, context);
        return (request, tokens);
    }

    /// <summary>Cancels an open request. A finished request cannot be canceled.</summary>
    public bool TryCancel(RequestContext context)
    {
        if (IsFinished) return false;
        Status = SignatureRequestStatus.Canceled;
        CanceledAt = context.Now;
        Record("canceled", null, context);
        return true;
    }

    private void Record(string type, string? signerId, RequestContext context)
    {
        UpdatedAt = context.Now;
        Version = Guid.NewGuid();
        Events.Add(new RequestEvent
        {
            Id = Ids.New("evt"),
            AccountId = AccountId,
            SignatureRequestId = Id,
            Type = type,
            SignerId = signerId,
            OccurredAt = context.Now,
            IpAddress = context.IpAddress,
            UserAgent = context.UserAgent,
        });
    }
}

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
    IReadOnlyList<NewSigner> Signers,
    IReadOnlyList<NewField> Fields,
    IReadOnlyDictionary<string, string> Metadata);

public sealed record NewSigner(string Name, string Email, int Order, string? Role);

public sealed record NewField(FieldType Type, int SignerPosition, int Page, double X, double Y, double Width, double Height, bool Required, string? Label);

public sealed class Signer
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required string SignatureRequestId { get; init; }
    /// <summary>0-based position in the request's signer list; fields address signers by it.</summary>
    public int Position { get; init; }
    public required string Name { get; init; }
    public required string Email { get; init; }
    public string? Role { get; init; }
    public int Order { get; init; }
    public SignerStatus Status { get; internal set; }
    public DateTime? SentAt { get; internal set; }
    public DateTime? SignedAt { get; internal set; }
    public required string AccessTokenHash { get; init; }
}

public sealed class SignatureField
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
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
public sealed class RequestEvent
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required string SignatureRequestId { get; init; }
    public required string Type { get; init; }
    public string? SignerId { get; init; }
    public DateTime OccurredAt { get; init; }
    public string? IpAddress { get; init; }
    public string? UserAgent { get; init; }
}

/// <summary>A caller's key/value pair on a request; a row of its own so lists can filter on it with an index.</summary>
public sealed class RequestMetadata
{
    public required string SignatureRequestId { get; init; }
    public required string AccountId { get; init; }
    public required string Key { get; init; }
    public required string Value { get; init; }
}
