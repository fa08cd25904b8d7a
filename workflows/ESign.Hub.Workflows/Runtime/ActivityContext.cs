using ESign.Hub.Workflows.Definitions;
using ESign.Hub.Workflows.Expressions;

namespace ESign.Hub.Workflows.Runtime;

/// <summary>
/// What one activity execution sees: its definition node, the instance's state, its inputs (evaluated on demand and
/// recorded in the journal with secrets redacted), its outputs, and the services of the host.
/// </summary>
public sealed class ActivityContext
{
    private readonly ExpressionEvaluator _expressions;

    internal ActivityContext(RunSession session, ActivityNode node, ScheduledActivity scheduled, int execution, int attempt,
        ExpressionEvaluator expressions, DateTime now)
    {
        (Session, Node, _expressions, Execution, Attempt, Now) = (session, node, expressions, execution, attempt, now);
        TriggerData = scheduled.TriggerData;
        ScopeId = scheduled.Scope ?? FlowScope.Root;
    }

    /// <summary>The flowchart run this activity is in (<see cref="FlowScope.Root"/> or a nested flowchart's, a loop iteration's).</summary>
    public string ScopeId { get; }

    /// <summary>What this container activity (a loop, a nested flowchart) keeps between passes while it runs.</summary>
    public ContainerRun Container
    {
        get
        {
            var key = ContainerRun.KeyOf(ScopeId, Node.Id);
            if (!State.Containers.TryGetValue(key, out var run)) State.Containers[key] = run = new ContainerRun();
            return run;
        }
    }

    /// <summary>The flowchart this activity runs (its body, or a nested Flowchart's own activities); null when it has none.</summary>
    public FlowGraph? Body => Session.Flowchart.BodyOf(Node.Id);

    /// <summary>
    /// Starts one run of this activity's body in a scope of its own, with <paramref name="locals"/> as variables only the body
    /// sees; the activity continues in <see cref="WorkflowActivity.OnBodyCompletedAsync"/> once that run has nothing left to do.
    /// </summary>
    public void StartBody(Dictionary<string, object?>? locals = null)
    {
        var body = Body ?? throw new ActivityFailure("it has no body to run.");
        var id = $"s{++State.ScopeSequence}";
        State.Scopes[id] = new FlowScope
        {
            Graph = body.Id, Parent = ScopeId, Owner = Node.Id, Start = body.Start,
            Locals = locals ?? new Dictionary<string, object?>(StringComparer.Ordinal),
        };
        if (body.Start is { } start) State.Scheduled.Add(new ScheduledActivity(start) { Scope = id });
        Container.Open++;
        Session.TouchedScopes.Add(id);
    }

    public RunSession Session { get; }
    public ActivityNode Node { get; }
    public WorkflowState State => Session.State;
    public IServiceProvider Services => Session.Services;
    public CancellationToken CancellationToken { get; internal set; }
    public DateTime Now { get; }

    /// <summary>The trigger data when this activity started the run; null when it was reached through the flowchart.</summary>
    public IReadOnlyDictionary<string, object?>? TriggerData { get; }

    /// <summary>1 for the first execution of this activity in the instance, 2 for the second (in a loop), …</summary>
    public int Execution { get; }

    /// <summary>1 for the first attempt of this execution; higher after retries.</summary>
    public int Attempt { get; }

    /// <summary>The same for every attempt of this execution, and unique per instance, activity and execution.</summary>
    public string IdempotencyKey => $"{Session.InstanceId}:{Node.Id}:{Execution}";

    public Dictionary<string, object?> RecordedInputs { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, object?> RecordedOutputs { get; } = new(StringComparer.Ordinal);

    public bool Has(string input) => Node.Inputs.ContainsKey(input) || Session.Flowchart.BoundVariable(Node.Id, input) is not null;

    /// <summary>
    /// The input's value (null when absent); expression errors fault the activity without retries. An input bound to a
    /// workflow variable (a <c>memoryReference</c> with no expression) reads the variable.
    /// </summary>
    public object? Evaluate(string input)
    {
        if (!Node.Inputs.TryGetValue(input, out var value))
        {
            if (Session.Flowchart.BoundVariable(Node.Id, input) is not { } variable) return null;
            var bound = PlainValues.Normalize(State.Variables.GetValueOrDefault(variable));
            RecordedInputs[input] = Redaction.Apply(variable, Redaction.Apply(input, bound));
            return bound;
        }
        try
        {
            var result = _expressions.Evaluate(value, Scope(), CancellationToken);
            RecordedInputs[input] = Redaction.Apply(input, result);
            return result;
        }
        catch (ExpressionProblem e)
        {
            throw new ActivityFailure($"input '{input}': {e.Message}");
        }
    }

    /// <summary>Evaluates an expression that is not one of the node's inputs (a script given as text).</summary>
    public object? EvaluateExpression(string label, InputValue expression, List<string>? outcomes = null)
    {
        try
        {
            var result = _expressions.Evaluate(expression, Scope(outcomes), CancellationToken);
            RecordedInputs[label] = Redaction.Apply(label, result);
            return result;
        }
        catch (ExpressionProblem e)
        {
            throw new ActivityFailure($"{label}: {e.Message}");
        }
    }

    public string? GetString(string input) => Evaluate(input) switch
    {
        null => null,
        string s => s,
        var other => Convert.ToString(PlainValues.Normalize(other) is { } plain and not (Dictionary<string, object?> or List<object?>)
            ? plain : System.Text.Json.JsonSerializer.Serialize(other, StateJson.Options), System.Globalization.CultureInfo.InvariantCulture),
    };

    public string RequireString(string input) =>
        GetString(input) is { Length: > 0 } s ? s : throw new ActivityFailure($"input '{input}' is empty; give it a value.");

    public void SetOutput(string name, object? value)
    {
        var plain = PlainValues.Normalize(value);
        RecordedOutputs[name] = Redaction.Apply(name, plain);
        if (!State.Outputs.TryGetValue(Node.Id, out var outputs))
            State.Outputs[Node.Id] = outputs = new Dictionary<string, object?>(StringComparer.Ordinal);
        outputs[name] = plain;
        // Elsa's output binding: the output also goes into the workflow variable the definition bound it to.
        if (Session.Flowchart.BoundVariable(Node.Id, name) is { } variable) State.Variables[variable] = plain;
    }

    /// <summary>
    /// A bookmark for this activity to wait on: <paramref name="name"/> says what it waits for, <paramref name="key"/> which
    /// one resumes it, <paramref name="payload"/> comes back to <see cref="WorkflowActivity.ResumeAsync"/>; with
    /// <paramref name="dueAt"/> it is a timer.
    /// </summary>
    public Bookmark NewBookmark(string name, string? key = null, DateTime? dueAt = null, Dictionary<string, object?>? payload = null) =>
        new(Bookmark.NewId(), Node.Id, name, key, dueAt) { Payload = payload, Scope = ScopeId == FlowScope.Root ? null : ScopeId };

    public void Log(string message) => Session.Log(Node, message);

    private IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>>? _outputs;

    // Variables are the live dictionary (scripts write them back); the other activities' outputs do not change while this
    // one runs, so their read-only view is made once per execution rather than once per input.
    private ExpressionScope Scope(List<string>? outcomes = null) => new(ScopedVariables.For(Session, ScopeId))
    {
        Input = State.Input,
        ActivityOutputs = _outputs ??= State.Outputs.ToDictionary(p => p.Key, p => (IReadOnlyDictionary<string, object?>)p.Value, StringComparer.Ordinal),
        Outcomes = outcomes,
        VariableNamesById = Session.Flowchart.VariableNamesById,
    };
}

/// <summary>Keeps secrets out of journals: values under names that look like credentials are replaced.</summary>
public static class Redaction
{
    public const string Redacted = "[redacted]";
    // Header names spell words with hyphens (X-Api-Key), JSON and variables with underscores or in camel case.
    private static readonly string[] SecretWords =
        ["password", "secret", "token", "apikey", "api_key", "api-key", "authorization", "accesscode", "access_code", "access-code", "cookie"];

    public static bool IsSecretName(string name) => SecretWords.Any(w => name.Contains(w, StringComparison.OrdinalIgnoreCase));

    public static object? Apply(string name, object? value)
    {
        if (IsSecretName(name)) return value is null ? null : Redacted;
        return value switch
        {
            Dictionary<string, object?> map => map.ToDictionary(p => p.Key, p => Apply(p.Key, p.Value), StringComparer.Ordinal),
            List<object?> list => list.Select(item => Apply("", item)).ToList(),
            _ => value,
        };
    }
}
