using ESign.Hub.SignatureRequests;

namespace ESign.Hub.Sealing;

/// <summary>Everything needed to produce the signed PDF of a completed request.</summary>
/// <param name="OriginalPdf">The document as uploaded, before any field was drawn on it.</param>
/// <param name="OriginalSha256">Lowercase hex SHA-256 of <paramref name="OriginalPdf"/>, printed on the audit certificate.</param>
/// <param name="TestMode">Test-mode requests get a "TEST – not legally binding" watermark on every page.</param>
/// <param name="CompletedAt">When the last signer finished (UTC).</param>
public sealed record SealInput(
    byte[] OriginalPdf, string OriginalSha256, string RequestId, string Title, string AccountName, bool TestMode,
    IReadOnlyList<StampedField> Fields, IReadOnlyList<AuditSigner> Signers, IReadOnlyList<AuditTimelineEntry> Timeline,
    DateTime CompletedAt);

/// <summary>
/// A field value to draw at its place. Page is 1-based; X/Y/Width/Height in PDF points from the page's TOP-LEFT corner
/// (of the page as displayed: after its /Rotate, inside its CropBox).
/// Exactly one of Text (text, date_signed, name, email fields), Image (PNG bytes: signature, initials) or Checked
/// (checkbox) is set.
/// </summary>
public sealed record StampedField(FieldType Type, int Page, double X, double Y, double Width, double Height,
    string? Text, byte[]? Image, bool? Checked);

/// <summary>A signer as the audit certificate shows them. Times are UTC.</summary>
/// <param name="Authentication">How the signer proved who they are, e.g. "Email link", "Email link + access code", "Embedded session".</param>
public sealed record AuditSigner(string Name, string Email, string? Role, string? IpAddress, string? UserAgent,
    DateTime? ConsentedAt, DateTime? SignedAt, string Authentication);

/// <summary>One event of the request's history (e.g. <c>request.sent</c>, <c>signer.viewed</c>), in the order it happened.</summary>
public sealed record AuditTimelineEntry(DateTime OccurredAt, string Type, string? Actor, string? IpAddress, string? UserAgent);

/// <summary>The sealed document: its bytes, their lowercase hex SHA-256 and its page count (audit certificate included).</summary>
public sealed record SealedPdf(byte[] Content, string Sha256, int PageCount);
