namespace ESign.Hub.Workflows.Expressions;

/// <summary>
/// What an expression can see: the instance's variables (read/write), the workflow input, and
/// activity outputs by activity id.
/// </summary>
public sealed class ExpressionScope
{
    public ExpressionScope(IDictionary<string, object?>? variables = null) =>
        Variables = variables ?? new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>Workflow variables by name; JavaScript <c>setVariable</c> / <c>variables.X = …</c> write here.</summary>
    public IDictionary<string, object?> Variables { get; }

    /// <summary>Declared variables' names by id, so a Variable expression may name a variable by either.</summary>
    public IReadOnlyDictionary<string, string> VariableNamesById { get; init; } = new Dictionary<string, string>();

    /// <summary>The workflow input by name.</summary>
    public IReadOnlyDictionary<string, object?> Input { get; init; } = new Dictionary<string, object?>();

    /// <summary>Outputs of completed activities: activity id → output name → value.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>> ActivityOutputs { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, object?>>();

    /// <summary>
    /// Set by Elsa.RunJavaScript: the outcomes its script chose with <c>setOutcome</c>/<c>setOutcomes</c>. Null elsewhere,
    /// where those functions do not exist.
    /// </summary>
    public List<string>? Outcomes { get; init; }
}

/// <summary>An expression could not be evaluated; the message is written for the workflow author.</summary>
public sealed class ExpressionProblem(string message, Exception? inner = null) : Exception(message, inner);
