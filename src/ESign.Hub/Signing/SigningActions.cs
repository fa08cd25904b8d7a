using ESign.Hub.Email;
using ESign.Hub.Hosting;
using ESign.Hub.SignatureRequests;
using ESign.Hub.Storage;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Signing;

/// <summary>What a signer sends to sign: the adopted signature and initials, and their field values by field id.</summary>
public sealed record SignBody(MarkInput? Signature, MarkInput? Initials, Dictionary<string, string?>? Fields);

public sealed record MarkInput(string? Method, string? ImagePngBase64, string? TypedText);

/// <summary>
/// The signer's side of the lifecycle: verify an access code, consent, sign, decline. Each action commits the signer's
/// change, its events and the emails it causes in one transaction; the last signature hands over to sealing.
/// </summary>
public sealed class SigningActions(
    HubDbContext db, SigningEmails emails, EmailDelivery delivery, FinalizeSignatureRequest finalize, TimeProvider clock,
    IOptions<SigningOptions> options)
{
    public const string ConsentText =
        "I agree to use electronic records and signatures. I understand that my electronic signature on this document is " +
        "legally binding just like a handwritten one (US ESIGN Act and UETA), that I may ask for a paper copy, and that I may " +
        "withdraw this consent before signing by declining.";

    private const int MaxMarkBytes = 512 * 1024;

    /// <summary>Checks an access code; returns a session token on success, or a problem (401, or 429 once locked).</summary>
    public async Task<(string? SessionToken, int Status, string Detail)> VerifyAccessCodeAsync(SignerAccess access, string? code, CancellationToken ct)
    {
        var signer = access.Signer;
        if (signer.AccessCodeHash is null) return (null, 409, "This signer needs no access code.");
        if (signer.AccessCodeLocked)
            return (null, 429, "Too many wrong access codes. Ask the sender to send the request again.");
        if (string.IsNullOrWhiteSpace(code) || code.Length > 100 || !SigningLinks.AccessCodeMatches(code.Trim(), signer.AccessCodeHash))
        {
            signer.RecordAccessCodeFailure();
            await db.SaveChangesAsync(ct);
            return (null, 401, signer.AccessCodeLocked
                ? "Wrong access code. The link is now locked; ask the sender to send the request again."
                : "Wrong access code. Check the code the sender gave you and try again.");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var (session, token) = SigningSession.Create(access.Account.Id, access.Request.TestMode, access.Request.Id, signer.Id, SigningSessionKind.Session,
            accessCodeVerified: true, access.Authentication + " + access code", now, TimeSpan.FromMinutes(options.Value.SessionLifetimeMinutes));
        db.SigningSessions.Add(session);
        await db.SaveChangesAsync(ct);
        return (token, 200, "");
    }

    public async Task ConsentAsync(SignerAccess access, RequestContext context, CancellationToken ct)
    {
        access.Request.RecordConsent(access.Signer, context);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Validates and records the signature. Returns the problems to show the signer, if any, and whether this signature
    /// completed the request (it was the last, and the sealed PDF exists).
    /// </summary>
    public async Task<(ValidationErrors Errors, bool Completed)> SignAsync(SignerAccess access, SignBody body, RequestContext context, CancellationToken ct)
    {
        var (request, signer) = (access.Request, access.Signer);
        var errors = new ValidationErrors();
        if (signer.ConsentedAt is null) errors.Add("consent", "Agree to sign electronically before signing.");
        var fields = request.Fields.Where(f => f.SignerId == signer.Id).ToList();
        var signature = fields.Any(f => f.Type == FieldType.Signature) || body.Signature is not null
            ? ReadMark(body.Signature, "signature", "signature", errors) : null;
        var initials = fields.Any(f => f.Type == FieldType.Initials) || body.Initials is not null
            ? ReadMark(body.Initials, "initials", "initials", errors) : null;

        var values = body.Fields ?? [];
        foreach (var id in values.Keys.Where(id => fields.All(f => f.Id != id)))
            errors.Add($"fields.{id}", "This is not one of your fields.");
        foreach (var field in fields)
        {
            var value = values.GetValueOrDefault(field.Id)?.Trim();
            var name = field.Label ?? FieldRules.Name(field.Type);
            switch (field.Type)
            {
                case FieldType.Text when field.Required && string.IsNullOrEmpty(value):
                    errors.Add($"fields.{field.Id}", $"Fill in “{name}”.");
                    break;
                case FieldType.Text when value is { Length: > 500 }:
                    errors.Add($"fields.{field.Id}", "Use at most 500 characters.");
                    break;
                case FieldType.Checkbox when value is not (null or "" or "true" or "false"):
                    errors.Add($"fields.{field.Id}", "A checkbox is \"true\" or \"false\".");
                    break;
                case FieldType.Checkbox when field.Required && value != "true":
                    errors.Add($"fields.{field.Id}", $"Tick “{name}”.");
                    break;
            }
        }
        if (errors.Any) return (errors, false);

        var cleaned = fields.ToDictionary(f => f.Id, f => values.GetValueOrDefault(f.Id)?.Trim() is { Length: > 0 } v ? v
            : f.Type == FieldType.Checkbox ? "false" : null);
        var nextSigners = request.Sign(signer, cleaned, signature, initials, access.Authentication, context);
        foreach (var next in nextSigners) db.OutboundEmails.Add(emails.YourTurn(access.Account, request, next, context.Now));
        await db.SaveChangesAsync(ct);
        delivery.Wake();

        var completed = request.AwaitsSealing && await finalize.TryAsync(request.AccountId, request.Id, ct);
        return (errors, completed);
    }

    public async Task<ValidationErrors> DeclineAsync(SignerAccess access, string? reason, RequestContext context, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        reason = reason?.Trim();
        if (string.IsNullOrEmpty(reason)) errors.Add("reason", "Say why you decline, so the sender can act on it.");
        else if (reason.Length > 1000) errors.Add("reason", "Use at most 1,000 characters.");
        if (errors.Any) return errors;

        access.Request.Decline(access.Signer, reason!, context);
        foreach (var other in access.Request.Signers.Where(s => s.Id != access.Signer.Id))
            db.OutboundEmails.Add(emails.Declined(access.Account, access.Request, other, access.Signer, context.Now));
        await db.SaveChangesAsync(ct);
        delivery.Wake();
        return errors;
    }

    /// <summary>Reads an adopted signature or initials: a PNG we can decode, at most 512 KB and 2000×1000 pixels.</summary>
    private static AdoptedMark? ReadMark(MarkInput? input, string path, string what, ValidationErrors errors)
    {
        if (input is null || string.IsNullOrEmpty(input.ImagePngBase64))
        {
            errors.Add(path, $"Adopt your {what}: type it or draw it.");
            return null;
        }
        if (input.Method is not ("typed" or "drawn")) errors.Add($"{path}.method", "Use \"typed\" or \"drawn\".");
        if (input.Method == "typed" && string.IsNullOrWhiteSpace(input.TypedText)) errors.Add($"{path}.typed_text", $"Type your {what}.");
        if (input.TypedText is { Length: > 100 }) errors.Add($"{path}.typed_text", "Use at most 100 characters.");
        byte[] png;
        try
        {
            png = Convert.FromBase64String(input.ImagePngBase64);
        }
        catch (FormatException)
        {
            errors.Add($"{path}.image_png_base64", "The image is not valid base64.");
            return null;
        }
        if (png.Length > MaxMarkBytes)
        {
            errors.Add($"{path}.image_png_base64", "The image is larger than 512 KB.");
            return null;
        }
        // Decoded in full now and stored as we re-encode it: an image that cannot be decoded would make sealing fail later.
        var (normalized, problem) = SignatureImage.Normalize(png);
        if (problem is not null) errors.Add($"{path}.image_png_base64", problem);
        png = normalized ?? [];
        return errors.Any ? null : new AdoptedMark(input.Method!, input.TypedText?.Trim(), png);
    }
}
