namespace ESign.Hub.Workflows.Definitions;

/// <summary>
/// Elsa writes an input's or variable's <c>typeName</c> as a well-known alias ("String", "Int32[]"), a C# keyword
/// ("string"), a full name ("System.String") or an assembly-qualified name ("System.String, System.Private.CoreLib").
/// The hub reasons on the alias, as Elsa's well-known type registry does; names it does not know stay as written.
/// </summary>
public static class ElsaTypeNames
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["object"] = "Object", ["string"] = "String", ["bool"] = "Boolean", ["char"] = "Char",
        ["byte"] = "Byte", ["sbyte"] = "SByte", ["short"] = "Int16", ["ushort"] = "UInt16", ["int"] = "Int32", ["uint"] = "UInt32",
        ["long"] = "Int64", ["ulong"] = "UInt64", ["float"] = "Single", ["double"] = "Double", ["decimal"] = "Decimal",
    };

    // System types Elsa registers under their short name.
    private static readonly HashSet<string> SystemAliases = new(StringComparer.Ordinal)
    {
        "Object", "String", "Boolean", "Char", "Byte", "SByte", "Int16", "UInt16", "Int32", "UInt32", "Int64", "UInt64", "Single", "Double",
        "Decimal", "Guid", "DateTime", "DateTimeOffset", "DateOnly", "TimeOnly", "TimeSpan",
    };

    /// <summary>The alias for <paramref name="typeName"/>: "System.Boolean, System.Private.CoreLib" → "Boolean", "int[]" → "Int32[]".</summary>
    public static string Normalize(string typeName)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        var name = typeName.Trim();
        // "System.String, System.Private.CoreLib, Version=…" names the type before the first comma; generic names
        // ("IDictionary<String, Object>", "List`1[[…]]") have commas of their own and are left alone.
        if (!name.Contains('<') && !name.Contains("[[", StringComparison.Ordinal) && name.IndexOf(',') is var comma and > 0)
            name = name[..comma].TrimEnd();
        var array = name.EndsWith("[]", StringComparison.Ordinal);
        var element = array ? name[..^2].TrimEnd() : name;
        if (Aliases.TryGetValue(element, out var keyword))
            element = keyword;
        else if (element.StartsWith("System.", StringComparison.Ordinal) && SystemAliases.Contains(element["System.".Length..]))
            element = element["System.".Length..];
        else
            return typeName; // not one of the well-known types: as written

        return array ? element + "[]" : element;
    }
}
