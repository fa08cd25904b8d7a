using System.Text.Json;
using ESign.Hub.Auth;
using ESign.Hub.Documents;
using ESign.Hub.Generation;
using ESign.Hub.Hosting;
using ESign.Hub.SignatureRequests;
using ESign.Hub.Signing;
using ESign.Hub.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Templates;

public sealed record CreateTemplateBody(
    string? Name, string? Kind, string? DocumentId, string? Content, JsonElement? SampleData, string? PaperFormat, string? Title, string? Message,
    List<string>? Roles, List<FieldInput>? Fields);

/// <summary>A new version of an <c>html</c> template: whatever is given replaces the current value.</summary>
public sealed record UpdateTemplateBody(string? Name, string? Content, JsonElement? SampleData, string? PaperFormat, string? Title, string? Message, List<string>? Roles);

public sealed record PreviewBody(JsonElement? Data);

public sealed record TemplateFieldResponse(string Type, string Role, int Page, double X, double Y, double Width, double Height, bool Required, string? Label);

public sealed record TemplateResponse(
    string Id, string Name, string Kind, int Version, string? DocumentId, string? Content, JsonElement? SampleData, string PaperFormat,
    string? Title, string? Message, IReadOnlyList<string> Roles, IReadOnlyList<TemplateFieldResponse> Fields, bool TestMode,
    DateTime CreatedAt, DateTime UpdatedAt)
{
    public static TemplateResponse From(Template t) => new(t.Id, t.Name, t.Kind, t.Version, t.DocumentId, t.Content,
        t.SampleData is null ? null : JsonDocument.Parse(t.SampleData).RootElement.Clone(), t.PaperFormat, t.Title, t.Message, t.Roles,
        t.Fields.Select(f => new TemplateFieldResponse(FieldRules.Name(f.Type), f.Role, f.Page, f.X, f.Y, f.Width, f.Height, f.Required, f.Label)).ToList(),
        t.TestMode, t.CreatedAt, t.UpdatedAt);
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
        templates.MapPut("/{id}", UpdateTemplate).WithName("UpdateTemplate")
            .WithSummary("A new version of an html template (a syntax error is reported here)").ProducesProblems(400, 404, 409, 422)
            .RequireScope(Scopes.TemplatesWrite);
        templates.MapPost("/{id}/preview", PreviewTemplate).WithName("PreviewTemplate")
            .WithSummary("Render an html template with data (or its sample_data): the PDF, or ?format=png&page=N for one page as an image")
            .Produces(200, contentType: "application/pdf").Produces(200, contentType: "image/png").ProducesProblems(400, 404, 409, 422)
            .RequireScope(Scopes.TemplatesRead);
        return app;
    }

    private static async Task<Results<Created<TemplateResponse>, ProblemHttpResult>> CreateTemplate(
        CreateTemplateBody body, HubDbContext db, TenantScope tenant, TemplateRenderer renderer, TimeProvider clock, CancellationToken ct)
    {
        var caller = tenant.Caller!;
        var errors = new ValidationErrors();
        var name = body.Name?.Trim();
        if (string.IsNullOrEmpty(name)) errors.Add("name", "Give the template a name.");
        else if (name.Length > 200) errors.Add("name", "Use at most 200 characters.");
        if (body.Kind is not (null or "pdf" or "html"))
            errors.Add("kind", "Use \"pdf\" (an uploaded document with fields) or \"html\" (a Scriban template merged with data).");
        if (body.Title is { Length: > 255 }) errors.Add("title", "Use at most 255 characters.");
        if (body.Message is { Length: > 5000 }) errors.Add("message", "Use at most 5,000 characters.");
        var roles = CheckRoles(body.Roles, errors);
        var now = clock.GetUtcNow().UtcDateTime;

        Template template;
        if (body.Kind == "html")
        {
            var paper = CheckPaper(body.PaperFormat, errors);
            CheckContent(body.Content, body.SampleData, renderer, errors);
            if (errors.Any) return Problems.Invalid(errors);
            template = new Template
            {
                Id = Ids.New("tpl"), AccountId = caller.AccountId, Name = name!, Kind = "html", Content = body.Content, PaperFormat = paper,
                SampleData = body.SampleData?.GetRawText(), Title = body.Title, Message = body.Message, Roles = roles, Fields = [],
                TestMode = caller.TestMode, CreatedAt = now, UpdatedAt = now,
            };
            db.TemplateVersions.Add(VersionOf(template, now));
        }
        else
        {
            var document = body.DocumentId is null ? null : await db.Documents.AsNoTracking().FirstOrDefaultAsync(d => d.Id == body.DocumentId, ct);
            if (document is null) errors.Add("document_id", body.DocumentId is null
                ? "Give the id of an uploaded document."
                : $"No document '{body.DocumentId}' exists in this account.");
            if (errors.Any) return Problems.Invalid(errors);

            // Template fields belong to roles, never to signer positions.
            var placed = FieldRules.Validate(body.Fields, document!.PageSizes, signerCount: 0, roles, errors);
            if (errors.Any) return Problems.Invalid(errors);
            template = new Template
            {
                Id = Ids.New("tpl"), AccountId = caller.AccountId, Name = name!, DocumentId = document.Id, Title = body.Title, Message = body.Message,
                Roles = roles,
                Fields = placed.Select(f => new TemplateField(f.Type, f.Role!, f.Page, f.X, f.Y, f.Width, f.Height, f.Required, f.Label)).ToList(),
                TestMode = caller.TestMode, CreatedAt = now, UpdatedAt = now,
            };
        }
        db.Templates.Add(template);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/v1/templates/{template.Id}", TemplateResponse.From(template));
    }

    private static async Task<Results<Ok<TemplateResponse>, ProblemHttpResult>> UpdateTemplate(
        string id, UpdateTemplateBody body, HubDbContext db, TemplateRenderer renderer, TimeProvider clock, CancellationToken ct)
    {
        var template = await db.Templates.FirstOrDefaultAsync(t => t.Id == id, ct);
        if (template is null) return Problems.NotFound("template", id);
        if (template.Kind != "html") return Problems.Conflict("Only html templates have versions; make a new pdf template instead.");
        var errors = new ValidationErrors();
        var name = body.Name?.Trim();
        if (name is { Length: 0 or > 200 }) errors.Add("name", "A name is 1 to 200 characters.");
        var roles = body.Roles is null ? template.Roles : CheckRoles(body.Roles, errors);
        var paper = body.PaperFormat is null ? template.PaperFormat : CheckPaper(body.PaperFormat, errors);
        var content = body.Content ?? template.Content;
        var sample = body.SampleData?.GetRawText() ?? template.SampleData;
        CheckContent(content, sample is null ? null : JsonDocument.Parse(sample).RootElement, renderer, errors);
        if (errors.Any) return Problems.Invalid(errors);

        var now = clock.GetUtcNow().UtcDateTime;
        template.Name = name ?? template.Name;
        template.Content = content;
        template.SampleData = sample;
        template.Roles = roles;
        template.PaperFormat = paper;
        template.Title = body.Title ?? template.Title;
        template.Message = body.Message ?? template.Message;
        template.Version++;
        template.UpdatedAt = now;
        db.TemplateVersions.Add(VersionOf(template, now));
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(TemplateResponse.From(template));
    }

    private static async Task<IResult> PreviewTemplate(string id, PreviewBody? body, HttpRequest http, HubDbContext db, GenerateDocument generate,
        PageRasterizer pages, CancellationToken ct)
    {
        var template = await db.Templates.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, ct);
        if (template is null) return Problems.NotFound("template", id);
        if (template.Kind != "html") return Problems.Conflict("Preview renders html templates; a pdf template's document is already its preview.");
        var data = body?.Data ?? (template.SampleData is null ? (JsonElement?)null : JsonDocument.Parse(template.SampleData).RootElement);
        if (data is null) return Problems.Unprocessable("Give 'data' to merge, or set the template's sample_data.");
        var (rendered, errors) = await generate.RenderAsync(template, data.Value, "data", ct);
        if (rendered is null) return Problems.Invalid(errors);
        var pdf = rendered.Content;
        if (http.Query["format"].FirstOrDefault() is not "png") return TypedResults.File(pdf, "application/pdf", $"{template.Name}-preview.pdf");
        var page = 1;
        if (http.Query["page"].FirstOrDefault() is { } text && (!int.TryParse(text, out page) || page < 1))
            return Problems.BadRequest("page must be a page number from 1.");
        // Chromium made this PDF, but a template's CSS chooses its page size: the rasteriser needs it to bound the image.
        var inspection = PdfInspector.Inspect(pdf, PdfLimits.From(new DocumentLimitOptions()));
        if (inspection.Pages is not { } sizes || page > sizes.Count) return Problems.BadRequest($"The preview has fewer than {page} pages.");
        try
        {
            var png = await pages.RenderPngAsync(pdf, page, sizes[page - 1], ct);
            return png is null ? Problems.BadRequest($"The preview has fewer than {page} pages.") : TypedResults.File(png, "image/png");
        }
        catch (PageRenderException e)
        {
            return Problems.Unprocessable(e.Message);
        }
    }

    private static List<string> CheckRoles(List<string>? input, ValidationErrors errors)
    {
        var roles = input?.Select(r => r?.Trim() ?? "").ToList() ?? [];
        if (roles.Count == 0) errors.Add("roles", "List the roles that sign, e.g. [\"client\", \"provider\"].");
        if (roles.Count > CreateSignatureRequest.MaxSigners) errors.Add("roles", $"Use at most {CreateSignatureRequest.MaxSigners} roles.");
        if (roles.Any(r => r.Length is 0 or > 50)) errors.Add("roles", "A role is 1 to 50 characters.");
        if (roles.Distinct().Count() != roles.Count) errors.Add("roles", "Each role may appear once.");
        return roles;
    }

    private static string CheckPaper(string? paper, ValidationErrors errors)
    {
        if (paper is null or "A4" or "Letter") return paper ?? "A4";
        errors.Add("paper_format", "Use \"A4\" or \"Letter\".");
        return "A4";
    }

    /// <summary>A syntax error is the author's to fix now; with sample data, so is a missing variable.</summary>
    private static void CheckContent(string? content, JsonElement? sample, TemplateRenderer renderer, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            errors.Add("content", "Give the template's HTML (Scriban syntax for merge fields, loops and conditions).");
            return;
        }
        try
        {
            renderer.Validate(content);
            if (sample is { ValueKind: JsonValueKind.Object } data) renderer.Render(content, data, new RenderOptions(), CancellationToken.None);
            else if (sample is { } other && other.ValueKind != JsonValueKind.Null) errors.Add("sample_data", "Give sample data as a JSON object.");
        }
        catch (TemplateProblem problem)
        {
            errors.Add(sample is null ? "content" : problem.Line is null ? "sample_data" : "content",
                problem.Line is { } line ? $"Line {line}, column {problem.Column}: {problem.Message}" : problem.Message);
        }
    }

    private static TemplateVersion VersionOf(Template t, DateTime now) => new()
    {
        TemplateId = t.Id, Version = t.Version, AccountId = t.AccountId, TestMode = t.TestMode, Content = t.Content!, Roles = t.Roles, SampleData = t.SampleData, CreatedAt = now,
    };

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
