namespace ESign.Hub.Templates;

/// <summary>
/// A reusable document with roles. <c>pdf</c>: an uploaded document with fields placed by role. <c>html</c>: a Scriban
/// template merged with business data into a PDF, its fields placed by text tags; every change is a new version.
/// </summary>
public sealed class Template : Storage.ITenantOwned
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required string Name { get; set; }
    public string Kind { get; init; } = "pdf";
    /// <summary>The document of a <c>pdf</c> template.</summary>
    public string? DocumentId { get; init; }
    /// <summary>The Scriban HTML of an <c>html</c> template (its current version).</summary>
    public string? Content { get; set; }
    /// <summary>Example merge data (JSON) for previews.</summary>
    public string? SampleData { get; set; }
    public string PaperFormat { get; set; } = "A4";
    public int Version { get; set; } = 1;
    public string? Title { get; set; }
    public string? Message { get; set; }
    public required List<string> Roles { get; set; }
    public required List<TemplateField> Fields { get; init; }
    public required bool TestMode { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>An earlier (or the current) content of an <c>html</c> template, kept so documents can be traced to it.</summary>
public sealed class TemplateVersion : Storage.ITenantOwned
{
    public required string TemplateId { get; init; }
    public int Version { get; init; }
    public required string AccountId { get; init; }
    public required bool TestMode { get; init; }
    public required string Content { get; init; }
    public required List<string> Roles { get; init; }
    public string? SampleData { get; init; }
    public DateTime CreatedAt { get; init; }
}

public sealed record TemplateField(
    SignatureRequests.FieldType Type, string Role, int Page, double X, double Y, double Width, double Height, bool Required, string? Label);
