using System.Text.Json;
using ESign.Hub.Workflows.Definitions;

namespace ESign.Hub.Workflows.Expressions;

/// <summary>
/// Evaluates an Elsa-shaped <see cref="InputValue"/> by its expression type: Literal, Object, Variable,
/// JavaScript (Jint, sandboxed) and Liquid (Scriban, sandboxed). Stateless, so one instance can be
/// shared across threads; every JavaScript/Liquid evaluation gets its own engine/context.
/// </summary>
public sealed class ExpressionEvaluator
{
    /// <summary>Longest accepted script or template text.</summary>
    public const int MaxExpressionLength = 64 * 1024;

    public object? Evaluate(InputValue input, ExpressionScope scope, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(scope);
        ct.ThrowIfCancellationRequested();

        return input.ExpressionType switch
        {
            "Literal" => PlainValues.FromJson(input.Value),
            "Object" => ParseObject(input.Value),
            "Variable" => ReadVariable(input.Value, scope),
            "JavaScript" => JavaScriptExpressions.Evaluate(Text(input), scope, ct),
            "Liquid" => LiquidExpressions.Evaluate(Text(input), scope, ct),
            var other => throw new ExpressionProblem(
                $"{(string.IsNullOrWhiteSpace(other) ? "Untyped" : other)} expressions are not supported; use JavaScript or Liquid."),
        };
    }

    // Elsa stores Object expressions as a JSON string; accept an inline object/array too.
    private static object? ParseObject(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return PlainValues.FromJson(value);
        }

        var text = value.GetString()!;
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
            return PlainValues.FromJson(document.RootElement);
        }
        catch (JsonException ex)
        {
            throw new ExpressionProblem($"Object: the value is not valid JSON ({ex.Message}).", ex);
        }
    }

    private static object? ReadVariable(JsonElement value, ExpressionScope scope)
    {
        // Elsa writes the variable's id or name, or { "id": …, "name": … }; the id wins, as Elsa resolves by id.
        var references = value.ValueKind switch
        {
            JsonValueKind.String => [value.GetString()],
            JsonValueKind.Object => new[] { "id", "name" }
                .Select(p => value.TryGetProperty(p, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null).ToArray(),
            _ => [],
        };
        var named = references.OfType<string>().Where(r => r.Length > 0).ToList();
        if (named.Count == 0)
        {
            throw new ExpressionProblem("Variable: the expression does not name a variable.");
        }

        foreach (var reference in named)
        {
            var name = scope.VariableNamesById.TryGetValue(reference, out var byId) ? byId : reference;
            if (scope.Variables.TryGetValue(name, out var result)) return PlainValues.Normalize(result);
        }
        throw new ExpressionProblem($"Variable: there is no variable named '{named[^1]}'.");
    }

    private static string Text(InputValue input)
    {
        var text = input.Value.ValueKind switch
        {
            JsonValueKind.String => input.Value.GetString()!,
            JsonValueKind.Null or JsonValueKind.Undefined => "",
            _ => throw new ExpressionProblem($"{input.ExpressionType}: the expression must be a string."),
        };
        return text.Length <= MaxExpressionLength
            ? text
            : throw new ExpressionProblem($"{input.ExpressionType}: the expression is longer than {MaxExpressionLength} characters.");
    }
}
