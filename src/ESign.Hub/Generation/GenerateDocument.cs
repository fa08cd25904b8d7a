using System.Text.Json;
using System.Text.RegularExpressions;
using ESign.Hub.Documents;
using ESign.Hub.Hosting;
using ESign.Hub.Templates;

namespace ESign.Hub.Generation;

/// <summary>
/// Merges data into an <c>html</c> template and renders it to PDF: the step between a CRM deal (or a new hire, or a
/// purchase order) and a contract ready to sign. Text tags in the template survive as invisible (white) text, so they
/// become fields but never show in the signed document.
/// </summary>
public sealed partial class GenerateDocument(TemplateRenderer renderer, PdfRenderer pdf, DocumentStore documents)
{
    [GeneratedRegex(@"\[(?:sig|initial|date|text|check|name|email)\|(?:req|noreq)\|[A-Za-z0-9_\-]+(?:\|[^|\]<>]*){0,2}\]")]
    private static partial Regex TextTag();

    /// <summary>Renders the template with <paramref name="data"/>; template and data problems come back as errors to show.</summary>
    public async Task<(byte[]? Pdf, ValidationErrors Errors)> RenderAsync(Template template, JsonElement data, string dataPath, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (data.ValueKind != JsonValueKind.Object)
        {
            errors.Add(dataPath, "Give the merge data as a JSON object.");
            return (null, errors);
        }
        string html;
        try
        {
            html = renderer.Render(template.Content!, data, new RenderOptions(PaperFormat: template.PaperFormat), ct);
        }
        catch (TemplateProblem problem)
        {
            errors.Add(dataPath, problem.Line is { } line ? $"Line {line}, column {problem.Column}: {problem.Message}" : problem.Message);
            return (null, errors);
        }
        html = TextTag().Replace(html, tag => $"<span class=\"esign-text-tag\" style=\"color:#ffffff\">{tag.Value}</span>");
        return (await pdf.RenderAsync(html, new RenderOptions(PaperFormat: template.PaperFormat), ct), errors);
    }

    /// <summary>Renders and stores the result as a document of the caller's account.</summary>
    /// <param name="sourceKey">Idempotency key of the workflow activity that asks (stored on the document).</param>
    public async Task<(Document? Document, ValidationErrors Errors)> CreateAsync(Template template, JsonElement data, string? name, string dataPath,
        CancellationToken ct, string? sourceKey = null)
    {
        var (bytes, errors) = await RenderAsync(template, data, dataPath, ct);
        if (bytes is null) return (null, errors);
        var stored = await documents.AddAsync(bytes, name ?? $"{template.Name}.pdf", ct, sourceKey);
        if (stored.Document is null) errors.Add(dataPath, stored.Problem ?? "The rendered PDF could not be stored.");
        return (stored.Document, errors);
    }
}
