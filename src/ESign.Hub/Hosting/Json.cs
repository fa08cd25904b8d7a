using System.Text.Json;
using System.Text.Json.Serialization;
using ESign.Hub.Workflows.Expressions;

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
        options.Converters.Add(new HoldableStringConverter());
        options.Converters.Add(new HoldableJsonElementConverter());
    }

    /// <summary>
    /// Every string in a request body: one with a lone UTF-16 surrogate or a NUL character is the caller's error (400 at
    /// its path), not a 500 from the database or the response writer later. Serialising is unchanged.
    /// </summary>
    private sealed class HoldableStringConverter : JsonConverter<string>
    {
        public override bool HandleNull => false;

        public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String) throw new JsonException("Expected a string.");
            return Holdable(ref reader);
        }

        /// <summary>Dictionary keys (metadata) are read here, not by <see cref="Read"/>.</summary>
        public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Holdable(ref reader);

        public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
            writer.WritePropertyName(value);

        private static string Holdable(ref Utf8JsonReader reader)
        {
            string text;
            try
            {
                text = reader.GetString()!;
            }
            catch (InvalidOperationException)
            {
                throw new JsonException(UntrustedJson.LoneSurrogate);
            }
            if (!UntrustedJson.IsWellFormed(text)) throw new JsonException(UntrustedJson.LoneSurrogate);
            if (text.Contains('\0', StringComparison.Ordinal)) throw new JsonException(UntrustedJson.NulCharacter);
            return text;
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    /// <summary>Free-form JSON in a request body (run input, merge data, payloads) is checked the same way, and for numbers beyond a double.</summary>
    private sealed class HoldableJsonElementConverter : JsonConverter<JsonElement>
    {
        public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            if (UntrustedJson.FindProblem(document.RootElement) is { } problem)
                throw new JsonException($"{problem.Message} (at {problem.Path} within this value)");
            return document.RootElement.Clone();
        }

        public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options) => value.WriteTo(writer);
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
