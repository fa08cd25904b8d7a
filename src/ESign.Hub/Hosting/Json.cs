using System.Text.Json;
using System.Text.Json.Serialization;

namespace ESign.Hub.Hosting;

/// <summary>The API's JSON conventions: snake_case members and enum values, UTC ISO 8601 times.</summary>
public static class Json
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null; // metadata keys are the caller's, kept as sent
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
    }

    public static string EnumName<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static bool TryParseEnum<T>(string text, out T value) where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (EnumName(candidate) == text)
            {
                value = candidate;
                return true;
            }
        }
        value = default;
        return false;
    }
}
