using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace ESign.Hub.Workflows.Runtime;

/// <summary>
/// The variables an expression sees inside a scope, innermost first: the locals of the scope and of the scopes around it (a
/// loop's CurrentValue and CurrentIndex), then the workflow's declared inputs (Elsa gives scripts <c>getFromMain()</c> for an
/// input <c>fromMain</c>), then the workflow variables. A write goes to the layer that has the name; a new name becomes a
/// workflow variable. Inputs are read-only: what a script writes to one stays in this evaluation.
/// </summary>
internal sealed class ScopedVariables : IDictionary<string, object?>
{
    private readonly List<Dictionary<string, object?>> _locals;
    private readonly Dictionary<string, object?> _inputs;
    private readonly IDictionary<string, object?> _variables;

    private ScopedVariables(List<Dictionary<string, object?>> locals, Dictionary<string, object?> inputs, IDictionary<string, object?> variables) =>
        (_locals, _inputs, _variables) = (locals, inputs, variables);

    /// <summary>The workflow variables themselves when nothing hides or adds to them (the common case, no copy made).</summary>
    public static IDictionary<string, object?> For(RunSession session, string scopeId)
    {
        var state = session.State;
        var locals = new List<Dictionary<string, object?>>();
        for (var id = scopeId; id is not null && state.Scopes.TryGetValue(id, out var scope); id = scope.Parent)
        {
            if (scope.Locals.Count > 0) locals.Add(scope.Locals);
        }
        var inputs = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var name in session.Flowchart.InputNames.Where(n => !state.Variables.ContainsKey(n)))
            inputs[name] = state.Input.GetValueOrDefault(name);
        return locals.Count == 0 && inputs.Count == 0 ? state.Variables : new ScopedVariables(locals, inputs, state.Variables);
    }

    private IDictionary<string, object?>? LayerOf(string key)
    {
        foreach (var layer in _locals)
            if (layer.ContainsKey(key)) return layer;
        if (_inputs.ContainsKey(key)) return _inputs;
        return _variables.ContainsKey(key) ? _variables : null;
    }

    public object? this[string key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);
        set => (LayerOf(key) ?? _variables)[key] = value;
    }

    public ICollection<string> Keys => [.. _locals.SelectMany(l => l.Keys).Concat(_inputs.Keys).Concat(_variables.Keys).Distinct(StringComparer.Ordinal)];

    public ICollection<object?> Values => [.. Keys.Select(k => this[k])];

    public int Count => Keys.Count;

    public bool IsReadOnly => false;

    public void Add(string key, object? value) => this[key] = value;

    public void Add(KeyValuePair<string, object?> item) => this[item.Key] = item.Value;

    public void Clear()
    {
        foreach (var layer in _locals) layer.Clear();
        _inputs.Clear();
        _variables.Clear();
    }

    public bool Contains(KeyValuePair<string, object?> item) => TryGetValue(item.Key, out var value) && Equals(value, item.Value);

    public bool ContainsKey(string key) => LayerOf(key) is not null;

    public void CopyTo(KeyValuePair<string, object?>[] array, int arrayIndex)
    {
        foreach (var pair in this) array[arrayIndex++] = pair;
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() =>
        Keys.Select(k => new KeyValuePair<string, object?>(k, this[k])).GetEnumerator();

    public bool Remove(string key) => LayerOf(key)?.Remove(key) ?? false;

    public bool Remove(KeyValuePair<string, object?> item) => Remove(item.Key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        if (LayerOf(key) is { } layer) return layer.TryGetValue(key, out value);
        value = null;
        return false;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
