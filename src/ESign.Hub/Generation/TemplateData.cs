using System.Text.Json;
using Scriban.Runtime;

namespace ESign.Hub.Generation;

/// <summary>
/// Turns request data (JSON) into Scriban objects with the keys exactly as given. Only plain values, objects and
/// arrays cross into the template, never a .NET object whose members Scriban would expose.
/// </summary>
internal static class TemplateData
{
    public static ScriptObject ToScriptObject(JsonElement obj)
    {
        var result = new ScriptObject(StringComparer.Ordinal);
        foreach (var property in obj.EnumerateObject())
            result[property.Name] = ToValue(property.Value);
        return result;
    }

    private static object? ToValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => ToScriptObject(value),
        JsonValueKind.Array => ToScriptArray(value),
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.TryGetInt64(out var whole) ? whole
            : value.TryGetDecimal(out var exact) ? exact
            : value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static ScriptArray ToScriptArray(JsonElement array)
    {
        var result = new ScriptArray(array.GetArrayLength());
        foreach (var item in array.EnumerateArray())
            result.Add(ToValue(item));
        return result;
    }
}
