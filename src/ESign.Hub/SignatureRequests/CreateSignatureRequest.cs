using System.Net.Mail;
using System.Text.Json;
using ESign.Hub.Auth;
using ESign.Hub.Documents;
using ESign.Hub.Hosting;
using ESign.Hub.Storage;
using ESign.Hub.Email;
using ESign.Hub.Generation;
using ESign.Hub.Signing;
using ESign.Hub.Templates;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ESign.Hub.SignatureRequests;

/// <param name="AccessCode">Optional code the sender gives the signer out of band; checked before the document is shown.</param>
public sealed record SignerInput(string? Name, string? Email, int? Order, string? Role, string? AccessCode);

public sealed record RemindersInput(int? AfterDays, int? EveryDays, int? Max);

public sealed record CreateSignatureRequestBody(
    string? DocumentId,
    string? TemplateId,
    string? Title,
    string? Message,
    string? SigningOrder,
    List<SignerInput>? Signers,
    List<FieldInput>? Fields,
    bool? UseTextTags,
    int? ExpiresInDays,
    DateTime? ExpiresAt,
    RemindersInput? Reminders,
    string? EscalationEmail,
    Dictionary<string, JsonElement>? Metadata,
    /// <summary>With an html template: the data merged into it to make the document.</summary>
    JsonElement? MergeData);

/// <summary>Checks a create request against the document (or template) it names, then sends it in one transaction.</summary>
public sealed class CreateSignatureRequest(
    HubDbContext db, DocumentStore documents, SigningLinks links, SigningEmails emails, EmailDelivery delivery, TenantScope tenant,
    TimeProvider clock, IOptions<HubOptions> options, PublicUrls urls, GenerateDocument generate)
{
    public const int MaxSigners = 50;

    public Task<Results<Created<SignatureRequestResponse>, ProblemHttpResult>> HandleAsync(
        CreateSignatureRequestBody body, HttpContext http, CancellationToken ct) =>
        HandleAsync(body, http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent.ToString(), ct);

    /// <param name="ipAddress">Who asked, for the audit trail (null for a workflow).</param>
    public async Task<Results<Created<SignatureRequestResponse>, ProblemHttpResult>> HandleAsync(
        CreateSignatureRequestBody body, string? ipAddress, string? userAgent, CancellationToken ct)
    {
        var caller = tenant.Caller!;
        var errors = new ValidationErrors();
        var now = clock.GetUtcNow().UtcDateTime;

        // The document and, when given, the template whose roles and fields apply.
        Template? template = null;
        if (body.TemplateId is not null && body.DocumentId is not null)
            errors.Add("template_id", "Give either document_id or template_id, not both.");
        else if (body.TemplateId is not null)
        {
            template = await db.Templates.AsNoTracking().FirstOrDefaultAsync(t => t.Id == body.TemplateId, ct);
            if (template is null) errors.Add("template_id", $"No template '{body.TemplateId}' exists in this account.");
        }
        else if (body.DocumentId is null)
            errors.Add("document_id", "Give the id of an uploaded document (document_id) or of a template (template_id).");
        var documentId = template?.DocumentId ?? body.DocumentId;
        var generated = template?.Kind == "html";
        if (generated && body.MergeData is null) errors.Add("merge_data", "This template is merged with data: give merge_data, a JSON object.");
        Document? document = null;
        if (documentId is not null && !errors.Any)
        {
            document = await db.Documents.AsNoTracking().FirstOrDefaultAsync(d => d.Id == documentId, ct);
            // Documents are per mode: one uploaded with a key of the other mode is not found here.
            if (document is null)
                errors.Add("document_id", $"No document '{documentId}' exists in this account in {(caller.TestMode ? "test" : "live")} mode.");
        }

        var title = (body.Title ?? template?.Title ?? template?.Name)?.Trim();
        if (string.IsNullOrEmpty(title)) errors.Add("title", "Give the request a title; signers see it in their invitation.");
        else if (title.Length > 255) errors.Add("title", "Use at most 255 characters.");
        var message = body.Message ?? template?.Message;
        if (message is { Length: > 5000 }) errors.Add("message", "Use at most 5,000 characters.");

        var order = body.SigningOrder switch
        {
            null or "parallel" => SigningOrder.Parallel,
            "sequential" => SigningOrder.Sequential,
            _ => (SigningOrder?)null,
        };
        if (order is null) errors.Add("signing_order", "Use \"parallel\" or \"sequential\".");

        var (signers, tokens) = ValidateSigners(body.Signers, order ?? SigningOrder.Parallel, template, errors);
        var escalationEmail = body.EscalationEmail?.Trim();
        if (escalationEmail is not null && !IsEmail(escalationEmail))
            errors.Add("escalation_email", $"'{escalationEmail}' is not an email address.");
        else if (escalationEmail is not null && body.Reminders is null)
            errors.Add("escalation_email", "Escalation follows the last reminder: set 'reminders' too.");
        var (expiresAt, reminders) = ValidateSchedule(body, now, errors);
        var metadata = ValidateMetadata(body.Metadata, errors);

        // An html template becomes this request's own document, generated from the merge data; its text tags place the fields.
        IReadOnlyList<TextTag>? tags = null;
        if (generated && !errors.Any)
        {
            var (made, madeTags, generationErrors) = await generate.CreateAsync(template!, body.MergeData!.Value, $"{title}.pdf", "merge_data", ct);
            foreach (var (path, messages) in generationErrors.ToDictionary())
                foreach (var problem in messages) errors.Add(path, problem);
            document = made;
            tags = madeTags;
        }
        if (errors.Any || document is null) return Problems.Invalid(errors);

        // Fields: the template's (by role), the caller's, and any text tags in the PDF.
        var roles = signers.Where(s => s.Role is not null).Select(s => s.Role!).ToList();
        var fieldInputs = new List<FieldInput>(body.Fields ?? []);
        if (template is not null)
            fieldInputs.AddRange(template.Fields.Select(f =>
                new FieldInput(FieldRules.Name(f.Type), JsonSerializer.SerializeToElement(f.Role), null, f.Page, f.X, f.Y, f.Width, f.Height, f.Required, f.Label)));
        if (body.UseTextTags == true || generated)
        {
            // A generated document's tags were measured when it was rendered (its PDF no longer holds them); an upload's are read from its text.
            tags ??= await documents.ReadTextTagsAsync(document, ct);
            if (tags is null)
            {
                var bytes = await documents.ReadAsync(document, ct) ?? throw new InvalidOperationException($"Blob of document {document.Id} is missing.");
                tags = TextTags.TryFind(bytes);
            }
            if (tags is null) errors.Add("use_text_tags", "The document's text could not be read to look for text tags; place the fields with 'fields' instead.");
            else fieldInputs.AddRange(FieldRules.FromTextTags(tags, document.PageSizes, errors));
        }
        var placed = FieldRules.Validate(fieldInputs, document.PageSizes, signers.Count, roles, errors);
        if (errors.Any) return Problems.Invalid(errors);

        var fields = placed.Select(f => new NewField(f.Type, f.SignerIndex ?? signers.FindIndex(s => s.Role == f.Role),
            f.Page, f.X, f.Y, f.Width, f.Height, f.Required, f.Label)).ToList();
        var spec = new NewSignatureRequest(caller.AccountId, document.Id, template?.Id, title!, message, order!.Value, caller.TestMode,
            expiresAt, reminders, escalationEmail, signers, fields, metadata);
        var context = new RequestContext(now, ipAddress, userAgent);
        var request = SignatureRequest.Send(spec, context);
        db.SignatureRequests.Add(request);
        var account = await db.Accounts.AsNoTracking().FirstAsync(a => a.Id == caller.AccountId, ct);
        foreach (var signer in request.Signers.Where(s => s.Status == SignerStatus.Sent))
            db.OutboundEmails.Add(emails.Invitation(account, request, signer, now));
        await db.SaveChangesAsync(ct);
        delivery.Wake();

        var signingUrls = tokens.ToDictionary(t => t.Key, t => urls.SigningUrl(t.Value));
        return TypedResults.Created($"/v1/signature-requests/{request.Id}", SignatureRequestResponse.From(request, withEvents: true, signingUrls));
    }

    /// <summary>Checks the signers and gives each an id and a signing link; returns the links' tokens by signer id.</summary>
    private (List<NewSigner> Signers, Dictionary<string, string> Tokens) ValidateSigners(
        List<SignerInput>? input, SigningOrder order, Template? template, ValidationErrors errors)
    {
        var signers = new List<NewSigner>();
        var tokens = new Dictionary<string, string>();
        if (input is null || input.Count == 0)
        {
            errors.Add("signers", "Add at least one signer with a name and an email address.");
            return (signers, tokens);
        }
        if (input.Count > MaxSigners) errors.Add("signers", $"Use at most {MaxSigners} signers.");
        for (var i = 0; i < input.Count && i < MaxSigners; i++)
        {
            var s = input[i] ?? new SignerInput(null, null, null, null, null);
            var at = $"signers[{i}]";
            var name = s.Name?.Trim();
            var email = s.Email?.Trim();
            if (string.IsNullOrEmpty(name)) errors.Add($"{at}.name", "Give the signer's name.");
            else if (name.Length > 200) errors.Add($"{at}.name", "Use at most 200 characters.");
            if (string.IsNullOrEmpty(email) || !IsEmail(email)) errors.Add($"{at}.email", $"'{email}' is not an email address.");
            if (s.Order is < 1 or > 100) errors.Add($"{at}.order", "Use an order from 1 to 100; signers with the same order sign in parallel.");
            var role = s.Role?.Trim();
            if (role is { Length: 0 or > 50 }) errors.Add($"{at}.role", "A role is 1 to 50 characters.");
            else if (role is not null && signers.Any(x => x.Role == role)) errors.Add($"{at}.role", $"Role '{role}' is already taken by another signer.");
            if (template is not null && (role is null || !template.Roles.Contains(role)))
                errors.Add($"{at}.role", $"With a template, give each signer one of its roles: {string.Join(", ", template.Roles)}.");
            // In sequential order, signers without an explicit order sign in list order.
            var signOrder = order == SigningOrder.Parallel ? 1 : s.Order ?? i + 1;
            var accessCode = s.AccessCode?.Trim();
            if (accessCode is { Length: < 4 or > 50 }) errors.Add($"{at}.access_code", "An access code is 4 to 50 characters.");
            var id = Ids.New("sgn");
            var (token, link) = links.NewLink();
            tokens[id] = token;
            signers.Add(new NewSigner(id, name ?? "", email ?? "", signOrder, role, link,
                accessCode is { Length: >= 4 and <= 50 } ? SigningLinks.HashAccessCode(accessCode) : null));
        }
        if (template is not null)
            foreach (var missing in template.Roles.Where(r => signers.All(s => s.Role != r)))
                errors.Add("signers", $"The template needs a signer for role '{missing}'.");
        return (signers, tokens);
    }

    private (DateTime? ExpiresAt, ReminderSettings? Reminders) ValidateSchedule(CreateSignatureRequestBody body, DateTime now, ValidationErrors errors)
    {
        DateTime? expiresAt = null;
        if (body.ExpiresAt is not null && body.ExpiresInDays is not null)
            errors.Add("expires_at", "Give expires_at or expires_in_days, not both.");
        else if (body.ExpiresInDays is { } days)
        {
            if (days is < 1 or > 365) errors.Add("expires_in_days", "Use 1 to 365 days.");
            else expiresAt = now.AddDays(days);
        }
        else if (body.ExpiresAt is { } at)
        {
            var utc = at.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(at, DateTimeKind.Utc) : at.ToUniversalTime();
            if (utc <= now.AddMinutes(5)) errors.Add("expires_at", "Give a time at least 5 minutes in the future.");
            else if (utc > now.AddDays(366)) errors.Add("expires_at", "Give a time within a year.");
            else expiresAt = utc;
        }
        else if (options.Value.DefaultExpiryDays > 0)
            expiresAt = now.AddDays(options.Value.DefaultExpiryDays);

        ReminderSettings? reminders = null;
        if (body.Reminders is { } r)
        {
            if (r.AfterDays is not (>= 1 and <= 90)) errors.Add("reminders.after_days", "Use 1 to 90 days after sending.");
            if (r.EveryDays is not (null or (>= 1 and <= 90))) errors.Add("reminders.every_days", "Use 1 to 90 days between reminders.");
            if (r.Max is not (null or (>= 0 and <= 10))) errors.Add("reminders.max", "Send at most 10 reminders.");
            reminders = new ReminderSettings(r.AfterDays ?? 1, r.EveryDays ?? r.AfterDays ?? 1, r.Max ?? 3);
        }
        return (expiresAt, reminders);
    }

    private static Dictionary<string, string> ValidateMetadata(Dictionary<string, JsonElement>? input, ValidationErrors errors)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (input is null) return metadata;
        if (input.Count > 20) errors.Add("metadata", "Use at most 20 keys.");
        foreach (var (key, value) in input.Take(20))
        {
            if (key.Length is 0 or > 40) errors.Add("metadata", $"Key '{key}' must be 1 to 40 characters.");
            else if (value.ValueKind != JsonValueKind.String) errors.Add($"metadata.{key}", "Values are strings.");
            else if (value.GetString()!.Length > 500) errors.Add($"metadata.{key}", "Use at most 500 characters.");
            else metadata[key] = value.GetString()!;
        }
        return metadata;
    }

    private static bool IsEmail(string email) =>
        email.Length <= 254 && MailAddress.TryCreate(email, out var parsed) && parsed.Address == email && email.Contains('.', StringComparison.Ordinal);

}
