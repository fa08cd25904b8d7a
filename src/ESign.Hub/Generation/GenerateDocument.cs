using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using ESign.Hub.Documents;
using ESign.Hub.Hosting;
using ESign.Hub.Templates;

namespace ESign.Hub.Generation;

/// <summary>A rendered template: the PDF and the text tags measured in it (which the PDF no longer contains).</summary>
public sealed record GeneratedPdf(byte[] Content, IReadOnlyList<TextTag> Tags);

/// <summary>
/// Merges data into an <c>html</c> template and renders it to PDF: the step between a CRM deal (or a new hire, or a
/// purchase order) and a contract ready to sign. Text tags in the template keep their place in the layout, are measured
/// there by Chromium and left out of the PDF (not painted, not in its text), so they become fields without the PDF
/// being read back.
/// </summary>
public sealed partial class GenerateDocument(TemplateRenderer renderer, PdfRenderer pdf, DocumentStore documents)
{
    [GeneratedRegex(@"\[(?:sig|initial|date|text|check|name|email)\|(?:req|noreq)\|[A-Za-z0-9_\-]+(?:\|[^|\]<>]*){0,2}\]")]
    private static partial Regex TextTag();

    /// <summary>Renders the template with <paramref name="data"/>; template and data problems come back as errors to show.</summary>
    public async Task<(GeneratedPdf? Pdf, ValidationErrors Errors)> RenderAsync(Template template, JsonElement data, string dataPath, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (data.ValueKind != JsonValueKind.Object)
        {
            errors.Add(dataPath, "Give the merge data as a JSON object.");
            return (null, errors);
        }
        var options = new RenderOptions(PaperFormat: template.PaperFormat);
        string html;
        try
        {
            html = renderer.Render(template.Content!, data, options, ct);
        }
        catch (TemplateProblem problem)
        {
            errors.Add(dataPath, problem.Line is { } line ? $"Line {line}, column {problem.Column}: {problem.Message}" : problem.Message);
            return (null, errors);
        }
        // A class the template cannot know, so that no element of its own is taken for a tag.
        var markClass = $"esign-text-tag-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        var rendered = await pdf.RenderAsync(MarkTextTags(html, markClass), options, markClass, ct);
        var tags = rendered.Marks.Select(m => TextTags.Parse(m.Text, m.Page, m.X, m.Y, m.Width, m.Height)).OfType<TextTag>().ToList();
        return (new GeneratedPdf(rendered.Content, tags), errors);
    }

    /// <summary>Wraps every text tag of the merged HTML in a span of <paramref name="markClass"/>, for the renderer to measure and hide.</summary>
    internal static string MarkTextTags(string html, string markClass) =>
        TextTag().Replace(html, tag => $"<span class=\"{markClass}\">{tag.Value}</span>");

    /// <summary>Renders and stores the result as a document of the caller's account, with its text tags beside it.</summary>
    /// <param name="sourceKey">Idempotency key of the workflow activity that asks (stored on the document).</param>
    public async Task<(Document? Document, IReadOnlyList<TextTag> Tags, ValidationErrors Errors)> CreateAsync(Template template, JsonElement data,
        string? name, string dataPath, CancellationToken ct, string? sourceKey = null)
    {
        var (rendered, errors) = await RenderAsync(template, data, dataPath, ct);
        if (rendered is null) return (null, [], errors);
        var stored = await documents.AddAsync(rendered.Content, name ?? $"{template.Name}.pdf", ct, sourceKey);
        if (stored.Document is null)
        {
            errors.Add(dataPath, stored.Problem ?? "The rendered PDF could not be stored.");
            return (null, [], errors);
        }
        await documents.SaveTextTagsAsync(stored.Document, rendered.Tags, ct);
        return (stored.Document, rendered.Tags, errors);
    }
}
