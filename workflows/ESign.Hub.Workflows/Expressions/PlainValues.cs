using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace ESign.Hub.Workflows.Expressions;

/// <summary>JSON → plain .NET values (string, long/double, bool, null, Dictionary, List).</summary>
internal static class PlainValues
{
    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var l) ? (object)l : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.Object => element.EnumerateObject()
            .Aggregate(new Dictionary<string, object?>(StringComparer.Ordinal), (d, p) => { d[p.Name] = FromJson(p.Value); return d; }),
        _ => throw new ExpressionProblem($"Unsupported JSON value kind {element.ValueKind}."),
    };

    /// <summary>Normalises host values so both engines see only plain data (no CLR objects).</summary>
    public static object? Normalize(object? value, int depth = 0)
    {
        if (depth > 64)
        {
            throw new ExpressionProblem("Value is nested too deeply (more than 64 levels) or contains a cycle.");
        }

        return value switch
        {
            null => null,
            // Scripts can make what JSON cannot hold; they become what JSON.stringify makes of them.
            double d when !double.IsFinite(d) => null,
            float f when !float.IsFinite(f) => null,
            string s => UntrustedJson.Sanitize(s),
            bool or double or long => value,
            JsonElement e => FromJson(e),
            int or short or byte or sbyte or ushort or uint => Convert.ToInt64(value, CultureInfo.InvariantCulture),
            ulong or float or decimal => Convert.ToDouble(value, CultureInfo.InvariantCulture),
            DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
            DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
            Guid or Enum or char => value.ToString(),
            IDictionary<string, object?> map => map.ToDictionary(p => p.Key, p => Normalize(p.Value, depth + 1), StringComparer.Ordinal),
            IReadOnlyDictionary<string, object?> map => map.ToDictionary(p => p.Key, p => Normalize(p.Value, depth + 1), StringComparer.Ordinal),
            IDictionary map => map.Keys.Cast<object>().ToDictionary(
                k => Convert.ToString(k, CultureInfo.InvariantCulture) ?? "", k => Normalize(map[k], depth + 1), StringComparer.Ordinal),
            IEnumerable items => items.Cast<object?>().Select(i => Normalize(i, depth + 1)).ToList(),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        };
    }
}
