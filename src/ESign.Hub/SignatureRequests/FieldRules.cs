using System.Text.Json;
using ESign.Hub.Documents;
using ESign.Hub.Hosting;

namespace ESign.Hub.SignatureRequests;

/// <summary>A field as callers send it; <c>signer</c> is the signer's 0-based index or a role name.</summary>
public sealed record FieldInput(
    string? Type, JsonElement? Signer, string? Role, int? Page, double? X, double? Y, double? Width, double? Height, bool? Required, string? Label);

/// <summary>A checked field: its type, whose it is (index into the signers or role) and where it sits.</summary>
public sealed record PlacedField(FieldType Type, int? SignerIndex, string? Role, int Page, double X, double Y, double Width, double Height, bool Required, string? Label);

/// <summary>The placement rules for fields, shared by signature requests, templates and text tags.</summary>
public static class FieldRules
{
    private static readonly Dictionary<string, FieldType> Types = new(StringComparer.Ordinal)
    {
        ["signature"] = FieldType.Signature,
        ["initials"] = FieldType.Initials,
        ["date_signed"] = FieldType.DateSigned,
        ["text"] = FieldType.Text,
        ["checkbox"] = FieldType.Checkbox,
        ["name"] = FieldType.Name,
        ["email"] = FieldType.Email,
    };

    // Dropbox Sign's text-tag types and the field types they become.
    private static readonly Dictionary<string, FieldType> TagTypes = new(StringComparer.Ordinal)
    {
        ["sig"] = FieldType.Signature,
        ["initial"] = FieldType.Initials,
        ["date"] = FieldType.DateSigned,
        ["text"] = FieldType.Text,
        ["check"] = FieldType.Checkbox,
        ["name"] = FieldType.Name,
        ["email"] = FieldType.Email,
    };

    public static string Name(FieldType type) => Types.First(t => t.Value == type).Key;

    /// <summary>
    /// Checks each field's type, owner and box against the document's real page sizes. <paramref name="signerCount"/>
    /// bounds index owners; <paramref name="roles"/> lists the roles an owner may name.
    /// </summary>
    public static List<PlacedField> Validate(IReadOnlyList<FieldInput>? fields, IReadOnlyList<PageSize> pages, int signerCount,
        IReadOnlyList<string> roles, ValidationErrors errors, string path = "fields")
    {
        var placed = new List<PlacedField>();
        if (fields is null) return placed;
        if (fields.Count > 500) errors.Add(path, "Use at most 500 fields.");
        for (var i = 0; i < fields.Count && i < 500; i++)
        {
            var f = fields[i];
            var at = $"{path}[{i}]";
            if (f is null)
            {
                errors.Add(at, "A field is an object with type, signer, page, x, y, width and height.");
                continue;
            }
            var ok = true;
            if (f.Type is null || !Types.TryGetValue(f.Type, out var type))
            {
                errors.Add($"{at}.type", $"Use one of: {string.Join(", ", Types.Keys)}.");
                ok = false;
                type = default;
            }

            int? signerIndex = null;
            string? role = null;
            var owner = f.Signer ?? (f.Role is null ? null : JsonSerializer.SerializeToElement(f.Role));
            switch (owner?.ValueKind)
            {
                case JsonValueKind.Number when owner.Value.TryGetInt32(out var index) && index >= 0 && index < signerCount:
                    signerIndex = index;
                    break;
                case JsonValueKind.Number:
                    errors.Add($"{at}.signer", $"Signer index must be between 0 and {signerCount - 1}.");
                    ok = false;
                    break;
                case JsonValueKind.String when roles.Contains(owner.Value.GetString()!, StringComparer.Ordinal):
                    role = owner.Value.GetString();
                    break;
                case JsonValueKind.String:
                    errors.Add($"{at}.signer", roles.Count == 0
                        ? $"No signer has the role '{owner.Value.GetString()}'; give the signer's 0-based index or set 'role' on the signer."
                        : $"Unknown role '{owner.Value.GetString()}'. Roles: {string.Join(", ", roles)}.");
                    ok = false;
                    break;
                default:
                    errors.Add($"{at}.signer", "Say whose field this is: the signer's 0-based index or role name.");
                    ok = false;
                    break;
            }

            if (f.Page is not { } page || page < 1 || page > pages.Count)
            {
                errors.Add($"{at}.page", $"The document has {pages.Count} page{(pages.Count == 1 ? "" : "s")}; use a page from 1 to {pages.Count}.");
                ok = false;
                page = 1;
            }
            var size = pages[page - 1];
            if (f.X is not { } x || f.Y is not { } y || f.Width is not { } w || f.Height is not { } h)
            {
                errors.Add(at, "Give x, y, width and height in points from the page's top-left corner.");
                continue;
            }
            if (!double.IsFinite(x) || !double.IsFinite(y) || x < 0 || y < 0)
            {
                errors.Add(at, "x and y must be 0 or more.");
                ok = false;
            }
            if (!double.IsFinite(w) || !double.IsFinite(h) || w <= 0 || h <= 0)
            {
                errors.Add(at, "width and height must be more than 0.");
                ok = false;
            }
            else if (x + w > size.Width + 0.5 || y + h > size.Height + 0.5)
            {
                errors.Add(at, $"The field ({x}, {y}, {w}×{h}) does not fit on page {page}, which is {size.Width}×{size.Height} points.");
                ok = false;
            }
            if (f.Label is { Length: > 100 })
            {
                errors.Add($"{at}.label", "Use at most 100 characters.");
                ok = false;
            }
            if (ok)
                placed.Add(new PlacedField(type, signerIndex, role, page, x, y, w, h, f.Required ?? type != FieldType.Checkbox, f.Label));
        }
        return placed;
    }

    /// <summary>
    /// Turns text tags into fields. <c>signerN</c> is 1-based as in Dropbox Sign; anything else must be a role.
    /// A tag smaller than the field needs is grown (signatures want room), then kept on the page.
    /// </summary>
    public static List<FieldInput> FromTextTags(IEnumerable<TextTag> tags, IReadOnlyList<PageSize> pages, ValidationErrors errors)
    {
        var fields = new List<FieldInput>();
        foreach (var tag in tags)
        {
            if (!TagTypes.TryGetValue(tag.Type, out var type))
            {
                errors.Add("use_text_tags", $"Text tag on page {tag.Page} has unknown type '{tag.Type}'; use sig, initial, date, text or check.");
                continue;
            }
            JsonElement owner = tag.Signer.StartsWith("signer", StringComparison.Ordinal) && int.TryParse(tag.Signer[6..], out var n)
                ? JsonSerializer.SerializeToElement(n - 1)
                : JsonSerializer.SerializeToElement(tag.Signer);
            var (minW, minH) = type switch
            {
                FieldType.Signature => (120.0, 28.0),
                FieldType.Initials => (40.0, 24.0),
                FieldType.Checkbox => (12.0, 12.0),
                _ => (60.0, 14.0),
            };
            var page = pages[tag.Page - 1];
            var w = Math.Min(Math.Max(tag.Width, minW), page.Width);
            var h = Math.Min(Math.Max(tag.Height, minH), page.Height);
            var x = Math.Min(tag.X, page.Width - w);
            var y = Math.Min(tag.Y, page.Height - h);
            fields.Add(new FieldInput(Name(type), owner, null, tag.Page, x, y, w, h, tag.Required, tag.Label));
        }
        return fields;
    }
}
