namespace ESign.Hub.Templates;

/// <summary>
/// A reusable document with roles and fields placed by role. <c>kind</c> is <c>pdf</c> here; generated (HTML)
/// templates arrive with document generation.
/// </summary>
public sealed class Template
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required string Name { get; init; }
    public string Kind { get; init; } = "pdf";
    public required string DocumentId { get; init; }
    public string? Title { get; init; }
    public string? Message { get; init; }
    public required List<string> Roles { get; init; }
    public required List<TemplateField> Fields { get; init; }
    public bool TestMode { get; init; }
    public DateTime CreatedAt { get; init; }
}

public sealed record TemplateField(
    SignatureRequests.FieldType Type, string Role, int Page, double X, double Y, double Width, double Height, bool Required, string? Label);
