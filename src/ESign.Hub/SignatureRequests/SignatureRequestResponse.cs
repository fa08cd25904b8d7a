namespace ESign.Hub.SignatureRequests;

public sealed record SignerResponse(
    string Id, int Index, string Name, string Email, string? Role, int Order, SignerStatus Status,
    DateTime? SentAt, DateTime? SignedAt,
    /// <summary>Present only in the response that created the request: the link's secret is stored hashed.</summary>
    string? SigningUrl);

public sealed record FieldResponse(
    string Id, string Type, string SignerId, int Signer, int Page, double X, double Y, double Width, double Height,
    bool Required, string? Label, string? Value);

public sealed record EventResponse(string Id, string Type, string? SignerId, DateTime OccurredAt, string? IpAddress, string? UserAgent);

public sealed record RemindersResponse(int AfterDays, int EveryDays, int Max);

/// <summary>Sealing was given up after repeated failures; an operator can retry it (POST …/retry-sealing).</summary>
public sealed record SealingIncidentResponse(string Error, int Attempts, DateTime Since);

public sealed record SignatureRequestResponse(
    string Id, SignatureRequestStatus Status, string Title, string? Message, bool TestMode, SigningOrder SigningOrder,
    string DocumentId, string? TemplateId, string? SignedDocumentId, string? SignedDocumentSha256,
    IReadOnlyList<SignerResponse> Signers, IReadOnlyList<FieldResponse> Fields, IReadOnlyList<EventResponse>? Events,
    IReadOnlyDictionary<string, string> Metadata, RemindersResponse? Reminders,
    DateTime CreatedAt, DateTime UpdatedAt, DateTime? ExpiresAt, DateTime? CanceledAt, DateTime? CompletedAt,
    SealingIncidentResponse? SealingIncident)
{
    /// <param name="signingUrls">Signer id → signing link; only known right after creation.</param>
    public static SignatureRequestResponse From(SignatureRequest r, bool withEvents, IReadOnlyDictionary<string, string>? signingUrls = null)
    {
        var signers = r.Signers.OrderBy(s => s.Position).ToList();
        var positions = signers.ToDictionary(s => s.Id, s => s.Position);
        return new(
            r.Id, r.Status, r.Title, r.Message, r.TestMode, r.SigningOrder, r.DocumentId, r.TemplateId, r.SignedDocumentId, r.SignedDocumentSha256,
            signers.Select(s => new SignerResponse(s.Id, s.Position, s.Name, s.Email, s.Role, s.Order, s.Status, s.SentAt, s.SignedAt,
                signingUrls?.GetValueOrDefault(s.Id))).ToList(),
            r.Fields.OrderBy(f => positions[f.SignerId]).ThenBy(f => f.Page).ThenBy(f => f.Y).ThenBy(f => f.X)
                .Select(f => new FieldResponse(f.Id, FieldRules.Name(f.Type), f.SignerId, positions[f.SignerId], f.Page, f.X, f.Y, f.Width, f.Height,
                    f.Required, f.Label, f.Value)).ToList(),
            withEvents
                ? r.Events.OrderBy(e => e.OccurredAt).ThenBy(e => e.Id)
                    .Select(e => new EventResponse(e.Id, e.Type, e.SignerId, e.OccurredAt, e.IpAddress, e.UserAgent)).ToList()
                : null,
            r.Metadata.ToDictionary(m => m.Key, m => m.Value),
            r.Reminders is { } rem ? new RemindersResponse(rem.AfterDays, rem.EveryDays, rem.Max) : null,
            r.CreatedAt, r.UpdatedAt, r.ExpiresAt, r.CanceledAt, r.CompletedAt,
            r.SealingIncidentAt is { } since ? new SealingIncidentResponse(r.SealingError ?? "", r.SealingAttempts, since) : null);
    }
}
