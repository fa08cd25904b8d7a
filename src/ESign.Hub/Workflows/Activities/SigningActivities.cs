using System.Text.Json;
using ESign.Hub.Generation;
using ESign.Hub.Hosting;
using ESign.Hub.SignatureRequests;
using ESign.Hub.Storage;
using ESign.Hub.Workflows.Definitions;
using ESign.Hub.Workflows.Runtime;
using ESign.Hub.Workflows.Runtime.Activities;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Workflows.Activities;

/// <summary>
/// Hub.Document.Generate: merges <c>data</c> into the html template <c>template</c> (an id) and stores the PDF
/// (<c>fileName</c> optional; not <c>name</c>, which is the activity's own name in Elsa's JSON). Outputs <c>documentId</c>
/// and <c>pageCount</c>. The document carries the activity's
/// idempotency key, so a run that crashed after generating finds it instead of generating another.
/// </summary>
public sealed class GenerateDocumentActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Hub.Document.Generate", "Documents", "Generate Document",
        "Merges data into an html template and stores the PDF.")
    {
        Inputs =
        [
            new("template", "String", "The id of an html template in this account.") { Required = true },
            new("data", "Object", "The data merged into the template.") { UiHint = InputUiHint.Json },
            new("fileName", "String", "The document's file name."),
        ],
        Outputs = [new("documentId", "String", "The stored document."), new("pageCount", "Int32", "Its number of pages.")],
    };

    public override bool HasSideEffects => true;

    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        RunPermissions.Require(context, Auth.Scopes.DocumentsWrite, "generate documents");
        var templateId = context.RequireString("template");
        var data = context.Evaluate("data") ?? new Dictionary<string, object?>();
        var name = context.GetString("fileName");
        var db = context.Services.GetRequiredService<HubDbContext>();
        var ct = context.CancellationToken;

        var existing = await db.Documents.AsNoTracking().FirstOrDefaultAsync(d => d.SourceKey == context.IdempotencyKey, ct);
        if (existing is null)
        {
            var template = await db.Templates.AsNoTracking().FirstOrDefaultAsync(t => t.Id == templateId, ct)
                ?? throw new ActivityFailure($"there is no template '{templateId}' in this account.");
            if (template.Kind != "html")
                throw new ActivityFailure($"template '{templateId}' is a PDF template; Hub.Document.Generate needs an html template.");
            var generate = context.Services.GetRequiredService<GenerateDocument>();
            var json = JsonSerializer.SerializeToElement(data, StateJson.Options);
            var (document, _, errors) = await generate.CreateAsync(template, json, name, "data", ct, context.IdempotencyKey);
            existing = document ?? throw new ActivityFailure($"the document could not be generated: {Describe(errors)}");
        }
        context.SetOutput("documentId", existing.Id);
        context.SetOutput("pageCount", existing.PageCount);
        return ActivityResult.Done;
    }

    internal static string Describe(ValidationErrors errors) =>
        string.Join("; ", errors.ToDictionary().SelectMany(p => p.Value.Select(m => $"{p.Key}: {m}")));
}

/// <summary>
/// Hub.ESign.SendForSignature: creates and sends a signature request, exactly like <c>POST /v1/signature-requests</c>.
/// Inputs: <c>signers</c> (list of <c>{ name, email, order, role }</c>), <c>documentId</c> or <c>template</c> (+ <c>data</c>
/// for html templates), <c>title</c>, <c>message</c>, <c>signingOrder</c>, <c>expiresInDays</c>, <c>reminders</c>,
/// <c>useTextTags</c>, <c>requestMetadata</c> (the request's metadata; <c>metadata</c> is the activity's designer data in
/// Elsa's JSON). Output: <c>signatureRequestId</c>. Idempotent per run, activity and execution: the
/// request carries the key in its metadata and a repeat finds it.
/// </summary>
public sealed class SendForSignatureActivity : WorkflowActivity
{
    public const string StepMetadataKey = "workflow_step";

    public override ActivityDescriptor Descriptor { get; } = new("Hub.ESign.SendForSignature", "E-signature", "Send for Signature",
        "Creates and sends a signature request, as POST /v1/signature-requests does.")
    {
        Inputs =
        [
            new("signers", "Object", "A list of { name, email, order, role }.") { Required = true, UiHint = InputUiHint.Json },
            new("documentId", "String", "The document to sign (or give a template)."),
            new("template", "String", "A template to generate the document from."),
            new("data", "Object", "Merge data for an html template.") { UiHint = InputUiHint.Json },
            new("title", "String", "The request's title."),
            new("message", "String", "The message signers read.") { UiHint = InputUiHint.MultiLine },
            new("signingOrder", "String", "Whether signers sign one after another or in any order.")
            {
                UiHint = InputUiHint.Dropdown, Options = ["sequential", "parallel"],
            },
            new("expiresInDays", "Int32", "Days until the request expires."),
            new("reminders", "Object", "{ after_days, every_days, max }.") { UiHint = InputUiHint.Json },
            new("useTextTags", "Boolean", "Place fields from text tags in the document.") { UiHint = InputUiHint.Checkbox },
            new("escalationEmail", "String", "Who hears about a request that stalls."),
            new("requestMetadata", "Object", "The request's metadata.") { UiHint = InputUiHint.Json },
        ],
        Outputs = [new("signatureRequestId", "String", "The request sent.")],
    };
    public override bool HasSideEffects => true;

    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        RunPermissions.Require(context, Auth.Scopes.SignatureRequestsWrite, "send signature requests");
        var db = context.Services.GetRequiredService<HubDbContext>();
        var ct = context.CancellationToken;
        var key = context.IdempotencyKey;
        var existing = await db.RequestMetadata.AsNoTracking()
            .Where(m => m.Key == StepMetadataKey && m.Value == key).Select(m => m.SignatureRequestId).FirstOrDefaultAsync(ct);
        if (existing is not null)
        {
            context.SetOutput("signatureRequestId", existing);
            return ActivityResult.Done;
        }

        var metadata = context.Evaluate("requestMetadata") is Dictionary<string, object?> given
            ? given.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value, StateJson.Options))
            : new Dictionary<string, JsonElement>();
        metadata[StepMetadataKey] = JsonSerializer.SerializeToElement(key);
        metadata["workflow_run_id"] = JsonSerializer.SerializeToElement(context.Session.InstanceId);
        var body = new CreateSignatureRequestBody(
            DocumentId: context.GetString("documentId"),
            TemplateId: context.GetString("template"),
            Title: context.GetString("title"),
            Message: context.GetString("message"),
            SigningOrder: context.GetString("signingOrder"),
            Signers: Signers(context.Evaluate("signers")),
            Fields: null,
            UseTextTags: context.Has("useTextTags") ? Truth.Of(context.Evaluate("useTextTags")) : null,
            ExpiresInDays: Number(context, "expiresInDays"),
            ExpiresAt: null,
            Reminders: Reminders(context.Evaluate("reminders")),
            EscalationEmail: context.GetString("escalationEmail"),
            Metadata: metadata,
            MergeData: context.Has("data") ? JsonSerializer.SerializeToElement(context.Evaluate("data"), StateJson.Options) : null);

        var create = context.Services.GetRequiredService<CreateSignatureRequest>();
        var result = await create.HandleAsync(body, null, $"ESign.Hub workflow {context.Session.InstanceId}", ct);
        switch (result.Result)
        {
            case Created<SignatureRequestResponse> created:
                context.SetOutput("signatureRequestId", created.Value!.Id);
                return ActivityResult.Done;
            case ProblemHttpResult problem:
                throw new ActivityFailure($"the signature request was refused: {ProblemText(problem)}");
            default:
                throw new ActivityFailure("the signature request could not be created.");
        }
    }

    private static List<SignerInput>? Signers(object? value) => value switch
    {
        null => null,
        List<object?> list => list.Select(item => item is Dictionary<string, object?> s
            ? new SignerInput(Text(s, "name"), Text(s, "email"), Text(s, "order") is { } o && int.TryParse(o, out var n) ? n : null,
                Text(s, "role"), Text(s, "access_code") ?? Text(s, "accessCode"))
            : throw new ActivityFailure("'signers' must be a list of objects with name and email.")).ToList(),
        Dictionary<string, object?> single => Signers(new List<object?> { single }),
        _ => throw new ActivityFailure("'signers' must be a list of objects with name and email."),
    };

    private static RemindersInput? Reminders(object? value) => value is Dictionary<string, object?> r
        ? new RemindersInput(Int(r, "after_days") ?? Int(r, "afterDays"), Int(r, "every_days") ?? Int(r, "everyDays"), Int(r, "max"))
        : null;

    private static int? Number(ActivityContext context, string input) => context.Evaluate(input) switch
    {
        null => null,
        long l => (int)Math.Clamp(l, int.MinValue, int.MaxValue),
        double d => (int)d,
        string s when int.TryParse(s, out var n) => n,
        var other => throw new ActivityFailure($"'{input}' must be a number (got {other})."),
    };

    private static string? Text(Dictionary<string, object?> map, string key) =>
        map.GetValueOrDefault(key) is { } v ? Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) : null;

    private static int? Int(Dictionary<string, object?> map, string key) => Text(map, key) is { } t && int.TryParse(t, out var n) ? n : null;

    internal static string ProblemText(ProblemHttpResult problem)
    {
        var details = problem.ProblemDetails;
        if (details is HttpValidationProblemDetails { Errors.Count: > 0 } validation)
            return string.Join("; ", validation.Errors.SelectMany(p => p.Value.Select(m => $"{p.Key}: {m}")));
        return details.Detail ?? details.Title ?? "unknown problem";
    }
}

/// <summary>
/// Hub.ESign.WaitForSignature: waits until the signature request <c>signatureRequestId</c> ends, then continues through
/// Completed, Declined, Expired or Canceled. Outputs <c>status</c> and, when completed, <c>signedDocumentId</c>.
/// </summary>
public sealed class WaitForSignatureActivity : WorkflowActivity
{
    /// <summary>The bookmark a waiting activity holds, keyed by the signature request id.</summary>
    public const string BookmarkName = "signature";

    public override ActivityDescriptor Descriptor { get; } = new("Hub.ESign.WaitForSignature", "E-signature", "Wait for Signature",
        "Waits until the signature request ends, then continues through Completed, Declined, Expired or Canceled.")
    {
        Inputs = [new("signatureRequestId", "String", "The request to wait for.") { Required = true }],
        Outputs =
        [
            new("status", "String", "completed, declined, expired or canceled."),
            new("signedDocumentId", "String", "The sealed PDF, when completed."),
        ],
        Outcomes = ActivityOutcomes.Fixed("Completed", "Declined", "Expired", "Canceled"),
        WaitsFor = BookmarkName,
        Note = "blocks until the signature request ends",
    };

    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        RunPermissions.Require(context, Auth.Scopes.SignatureRequestsRead, "wait for signature requests");
        var id = context.RequireString("signatureRequestId");
        var db = context.Services.GetRequiredService<HubDbContext>();
        var request = await db.SignatureRequests.AsNoTracking().Where(r => r.Id == id)
            .Select(r => new { r.Status, r.SignedDocumentId }).FirstOrDefaultAsync(context.CancellationToken)
            ?? throw new ActivityFailure($"there is no signature request '{id}' in this account.");
        // Already over (it can end before the workflow gets here): continue at once.
        if (Outcome(request.Status) is { } outcome) return Done(context, outcome, request.SignedDocumentId);
        return ActivityResult.Wait(context.NewBookmark(BookmarkName, id));
    }

    public override ValueTask<ActivityResult> ResumeAsync(ActivityContext context, Bookmark bookmark, IReadOnlyDictionary<string, object?> payload)
    {
        var status = Enum.TryParse<SignatureRequestStatus>(payload.GetValueOrDefault("status") as string, ignoreCase: true, out var s)
            ? s : SignatureRequestStatus.Canceled;
        return ValueTask.FromResult(Done(context, Outcome(status) ?? "Canceled", payload.GetValueOrDefault("signed_document_id") as string));
    }

    public static string? Outcome(SignatureRequestStatus status) => status switch
    {
        SignatureRequestStatus.Completed => "Completed",
        SignatureRequestStatus.Declined => "Declined",
        SignatureRequestStatus.Expired => "Expired",
        SignatureRequestStatus.Canceled => "Canceled",
        _ => null,
    };

    private static ActivityResult Done(ActivityContext context, string outcome, string? signedDocumentId)
    {
        context.SetOutput("status", outcome.ToLowerInvariant());
        if (signedDocumentId is not null) context.SetOutput("signedDocumentId", signedDocumentId);
        return ActivityResult.Outcome(outcome);
    }
}
