using ESign.Hub.Auth;
using ESign.Hub.Hosting;
using ESign.Hub.SignatureRequests;
using ESign.Hub.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Templates;

public sealed record CreateTemplateBody(string? Name, string? Kind, string? DocumentId, string? Title, string? Message, List<string>? Roles, List<FieldInput>? Fields);

public sealed record TemplateFieldResponse(string Type, string Role, int Page, double X, double Y, double Width, double Height, bool Required, string? Label);

public sealed record TemplateResponse(
    string Id, string Name, string Kind, string DocumentId, string? Title, string? Message, IReadOnlyList<string> Roles,
    IReadOnlyList<TemplateFieldResponse> Fields, bool TestMode, DateTime CreatedAt)
{
    public static TemplateResponse From(Template t) => new(t.Id, t.Name, t.Kind, t.DocumentId, t.Title, t.Message, t.Roles,
        t.Fields.Select(f => new TemplateFieldResponse(FieldRules.Name(f.Type), f.Role, f.Page, f.X, f.Y, f.Width, f.Height, f.Required, f.Label)).ToList(),
        t.TestMode, t.CreatedAt);
}

public static class TemplateEndpoints
{
    public static IEndpointRouteBuilder MapTemplateEndpoints(this IEndpointRouteBuilder app)
    {
        var templates = app.MapGroup("/v1/templates").WithTags("Templates").ProducesAuthProblems();
        templates.MapPost("/", CreateTemplate).WithName("CreateTemplate")
            .WithSummary("A reusable document with roles and fields placed by role").ProducesProblems(400, 422).RequireScope(Scopes.TemplatesWrite);
        templates.MapGet("/", ListTemplates).WithName("ListTemplates").WithSummary("Templates, newest first (limit, starting_after)")
            .RequireScope(Scopes.TemplatesRead);
        templates.MapGet("/{id}", GetTemplate).WithName("GetTemplate").ProducesProblems(404).RequireScope(Scopes.TemplatesRead);
        return app;
    }

    private static async Task<Results<Created<TemplateResponse>, ProblemHttpResult>> CreateTemplate(
        CreateTemplateBody body, HubDbContext db, TenantScope tenant, TimeProvider clock, CancellationToken ct)
    {
        var caller = tenant.Caller!;
        var errors = new ValidationErrors();
        var name = body.Name?.Trim();
        if (string.IsNullOrEmpty(name)) errors.Add("name", "Give the template a name.");
        else if (name.Length > 200) errors.Add("name", "Use at most 200 characters.");
        if (body.Kind is not (null or "pdf")) errors.Add("kind", "Use \"pdf\": a template made from an uploaded document.");
        if (body.Title is { Length: > 255 }) errors.Add("title", "Use at most 255 characters.");
        if (body.Message is { Length: > 5000 }) errors.Add("message", "Use at most 5,000 characters.");

        var roles = body.Roles?.Select(r => r?.Trim() ?? "").ToList() ?? [];
        if (roles.Count == 0) errors.Add("roles", "List the roles that sign, e.g. [\"client\", \"provider\"].");
        if (roles.Count > CreateSignatureRequest.MaxSigners) errors.Add("roles", $"Use at most {CreateSignatureRequest.MaxSigners} roles.");
        if (roles.Any(r => r.Length is 0 or > 50)) errors.Add("roles", "A role is 1 to 50 characters.");
        if (roles.Distinct().Count() != roles.Count) errors.Add("roles", "Each role may appear once.");

        var document = body.DocumentId is null ? null : await db.Documents.AsNoTracking().FirstOrDefaultAsync(d => d.Id == body.DocumentId, ct);
        if (document is null) errors.Add("document_id", body.DocumentId is null
            ? "Give the id of an uploaded document."
            : $"No document '{body.DocumentId}' exists in this account.");
        if (errors.Any) return Problems.Invalid(errors);

        // Template fields belong to roles, never to signer positions.
        var placed = FieldRules.Validate(body.Fields, document!.PageSizes, signerCount: 0, roles, errors);
        if (errors.Any) return Problems.Invalid(errors);

        var template = new Template
        {
            Id = Ids.New("tpl"),
            AccountId = caller.AccountId,
            Name = name!,
            DocumentId = document.Id,
            Title = body.Title,
            Message = body.Message,
            Roles = roles,
            Fields = placed.Select(f => new TemplateField(f.Type, f.Role!, f.Page, f.X, f.Y, f.Width, f.Height, f.Required, f.Label)).ToList(),
            TestMode = caller.TestMode,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Templates.Add(template);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/v1/templates/{template.Id}", TemplateResponse.From(template));
    }

    private static async Task<Results<Ok<ListResponse<TemplateResponse>>, ProblemHttpResult>> ListTemplates(
        HttpRequest http, HubDbContext db, CancellationToken ct)
    {
        var limit = 20;
        if (http.Query["limit"].FirstOrDefault() is { } limitText && (!int.TryParse(limitText, out limit) || limit is < 1 or > 100))
            return Problems.BadRequest("limit must be a number from 1 to 100.");
        var templates = db.Templates.AsNoTracking();
        if (http.Query["starting_after"].FirstOrDefault() is { } cursor)
            templates = templates.Where(t => string.Compare(t.Id, cursor) < 0);
        var page = await templates.OrderByDescending(t => t.Id).Take(limit + 1).ToListAsync(ct);
        var hasMore = page.Count > limit;
        if (hasMore) page.RemoveAt(limit);
        return TypedResults.Ok(new ListResponse<TemplateResponse>(page.Select(TemplateResponse.From).ToList(), hasMore, hasMore ? page[^1].Id : null));
    }

    private static async Task<Results<Ok<TemplateResponse>, ProblemHttpResult>> GetTemplate(string id, HubDbContext db, CancellationToken ct)
    {
        var template = await db.Templates.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, ct);
        return template is null ? Problems.NotFound("template", id) : TypedResults.Ok(TemplateResponse.From(template));
    }
}
