using System.Text.Json;
using ESign.Hub.Auth;
using ESign.Hub.Documents;
using ESign.Hub.Hosting;
using ESign.Hub.SignatureRequests;
using ESign.Hub.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Generation;

public sealed record GenerateDocumentBody(string? TemplateId, JsonElement? Data, string? Name);

/// <summary>A field found by a text tag: <c>signer</c> is the tag's role name or 0-based signer index.</summary>
public sealed record TaggedField(string Type, JsonElement Signer, int Page, double X, double Y, double Width, double Height, bool Required, string? Label);

public sealed record GeneratedDocumentResponse(DocumentResponse Document, string TemplateId, int TemplateVersion, IReadOnlyList<TaggedField> Fields);

public static class GenerationEndpoints
{
    public static IEndpointRouteBuilder MapGenerationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/documents/generate", Generate).WithTags("Documents").WithName("GenerateDocument")
            .WithSummary("Merge data into an html template and store the PDF; its text tags are returned as fields")
            .RequireScope(Scopes.DocumentsWrite).ProducesAuthProblems().ProducesProblems(400, 404, 409, 422);
        return app;
    }

    private static async Task<Results<Created<GeneratedDocumentResponse>, ProblemHttpResult>> Generate(
        GenerateDocumentBody body, HubDbContext db, GenerateDocument generate, CancellationToken ct)
    {
        if (body.TemplateId is null) return Problems.Unprocessable("Give template_id: the html template to merge the data into.");
        var template = await db.Templates.AsNoTracking().FirstOrDefaultAsync(t => t.Id == body.TemplateId, ct);
        if (template is null) return Problems.NotFound("template", body.TemplateId);
        if (template.Kind != "html") return Problems.Conflict($"Template '{template.Id}' is a pdf template; generation needs an html template.");
        if (body.Data is not { } data) return Problems.Unprocessable("Give 'data': the JSON object to merge into the template.");

        var (document, tags, errors) = await generate.CreateAsync(template, data, body.Name, "data", ct);
        if (document is null) return Problems.Invalid(errors);
        var tagErrors = new ValidationErrors();
        var fields = FieldRules.FromTextTags(tags, document.PageSizes, tagErrors)
            .Select(f => new TaggedField(f.Type!, f.Signer!.Value, f.Page!.Value, f.X!.Value, f.Y!.Value, f.Width!.Value, f.Height!.Value, f.Required ?? true, f.Label))
            .ToList();
        return TypedResults.Created($"/v1/documents/{document.Id}",
            new GeneratedDocumentResponse(DocumentResponse.From(document), template.Id, template.Version, fields));
    }
}
