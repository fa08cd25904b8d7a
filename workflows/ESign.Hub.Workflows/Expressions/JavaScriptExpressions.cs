using Acornima;
using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Interop;

namespace ESign.Hub.Workflows.Expressions;

/// <summary>
/// JavaScript via Jint in a sandbox: a fresh engine per evaluation, strict mode, no CLR access, no
/// modules, and limits on time, statements, recursion and memory. Host values cross as plain JS data
/// (objects/arrays/primitives), never as wrapped .NET objects.
/// </summary>
internal static class JavaScriptExpressions
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    public const int MaxStatements = 10_000;
    public const int MaxRecursion = 64;
    public const long MaxMemoryBytes = 4 * 1024 * 1024;
    private const int MaxDepth = 64;

    public static object? Evaluate(string script, ExpressionScope scope, CancellationToken ct)
    {
        var engine = new Engine(options => options
            .Strict()
            .TimeoutInterval(Timeout)
            // A regex runs as one .NET call the statement checks cannot interrupt; Jint's own default lets it run 10 s.
            .RegexTimeoutInterval(Timeout)
            .CancellationToken(ct)
            .MaxStatements(MaxStatements)
            .LimitRecursion(MaxRecursion)
            .LimitMemory(MaxMemoryBytes)
            .DisableStringCompilation());

        try
        {
            var variables = ToJs(engine, PlainValues.Normalize(scope.Variables), 0).AsObject();
            var input = ToJs(engine, PlainValues.Normalize(scope.Input), 0);
            var outputs = ToJs(engine, PlainValues.Normalize(scope.ActivityOutputs), 0);

            engine.SetValue("variables", variables);
            engine.SetValue("input", input);
            engine.SetValue("getVariable", Function(engine, "getVariable", 1, (_, args) => variables.Get(Name(args, "getVariable"))));
            engine.SetValue("setVariable", Function(engine, "setVariable", 2, (_, args) =>
            {
                variables.Set(Name(args, "setVariable"), args.Length > 1 ? args[1] : JsValue.Undefined, true);
                return JsValue.Undefined;
            }));
            // getInput('name') reads one input; getInput() the whole input object.
            engine.SetValue("getInput", Function(engine, "getInput", 1, (_, args) => args.Length == 0 ? input : input.Get(Name(args, "getInput"))));
            engine.SetValue("getOutputFrom", Function(engine, "getOutputFrom", 2, (_, args) =>
            {
                var activity = outputs.Get(Name(args, "getOutputFrom"));
                return args.Length > 1 && activity.IsObject() ? activity.Get(args[1]) : activity;
            }));

            // Elsa's generated accessors: getAmount() for a variable named Amount.
            foreach (var name in scope.Variables.Keys.Where(IsIdentifier))
            {
                var variable = name;
                var accessor = "get" + char.ToUpperInvariant(variable[0]) + variable[1..];
                // A variable named Input must not replace getInput (nor one named Variable getVariable).
                if (!engine.GetValue(accessor).IsUndefined()) continue;
                engine.SetValue(accessor, Function(engine, accessor, 0, (_, _) => variables.Get(variable)));
            }
            // And for the workflow's inputs (getMessage() for an input named Message), as Elsa generates them; a variable of
            // the same name keeps its accessor.
            foreach (var name in scope.Input.Keys.Where(IsIdentifier))
            {
                var accessor = "get" + char.ToUpperInvariant(name[0]) + name[1..];
                if (!engine.GetValue(accessor).IsUndefined()) continue;
                var key = name;
                engine.SetValue(accessor, Function(engine, accessor, 0, (_, _) => input.IsObject() ? input.Get(key) : JsValue.Undefined));
            }

            if (scope.Outcomes is { } outcomes)
            {
                var chosen = new List<string>();
                engine.SetValue("setOutcome", Function(engine, "setOutcome", 1, (_, args) =>
                {
                    chosen.Add(Name(args, "setOutcome"));
                    return JsValue.Undefined;
                }));
                engine.SetValue("setOutcomes", Function(engine, "setOutcomes", 1, (_, args) =>
                {
                    if (args.Length == 0 || args[0] is not JsArray array)
                        throw new JavaScriptException(new JsString("setOutcomes: the argument must be an array of outcome names"));
                    for (uint i = 0; i < array.Length; i++)
                        chosen.Add(array.Get(i).IsString() ? array.Get(i).AsString() : throw new JavaScriptException(new JsString("setOutcomes: outcome names are strings")));
                    return JsValue.Undefined;
                }));
                var value = ToDotNet(engine.Evaluate(script), 0);
                outcomes.AddRange(chosen);
                return WriteBack(variables, scope, value);
            }

            return WriteBack(variables, scope, ToDotNet(engine.Evaluate(script), 0));
        }
        catch (ExecutionCanceledException) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct);
        }
        catch (TimeoutException ex)
        {
            throw Problem($"the script ran longer than {Timeout.TotalSeconds:0} s", ex);
        }
        catch (StatementsCountOverflowException ex)
        {
            throw Problem($"the script ran more than {MaxStatements:N0} statements", ex);
        }
        catch (RecursionDepthOverflowException ex)
        {
            throw Problem($"recursion deeper than {MaxRecursion} calls", ex);
        }
        catch (MemoryLimitExceededException ex)
        {
            throw Problem($"the script used more than {MaxMemoryBytes / (1024 * 1024)} MB of memory", ex);
        }
        catch (JavaScriptException ex)
        {
            throw Problem(ex.Error.IsObject() ? ex.Error.ToString() : ex.Message, ex);
        }
        catch (ParseErrorException ex)
        {
            throw Problem($"SyntaxError: {ex.Message}", ex);
        }
        catch (JintException ex)
        {
            throw Problem(ex.Message, ex);
        }
        catch (InvalidOperationException ex) when (ex.Source == "Jint")
        {
            // e.g. import() with modules disabled.
            throw Problem(ex.Message, ex);
        }
    }

    // Variables are written back only after a successful run, so a failed script changes nothing.
    private static object? WriteBack(ObjectInstance variables, ExpressionScope scope, object? result)
    {
        var written = (Dictionary<string, object?>)ToDotNet(variables, 0)!;
        foreach (var name in scope.Variables.Keys.Where(k => !written.ContainsKey(k)).ToList())
        {
            scope.Variables.Remove(name);
        }

        foreach (var (name, value) in written)
        {
            scope.Variables[name] = value;
        }

        return result;
    }

    private static bool IsIdentifier(string name) =>
        name.Length is > 0 and <= 64 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static ExpressionProblem Problem(string message, Exception inner) => new($"JavaScript: {message}", inner);

    private static ClrFunction Function(Engine engine, string name, int length, Func<JsValue, JsValue[], JsValue> body) =>
        new(engine, name, body, length);

    private static string Name(JsValue[] args, string function) =>
        args.Length > 0 && args[0].IsString()
            ? args[0].AsString()
            : throw new JavaScriptException(new JsString($"{function}: the first argument must be a name (string)"));

    private static JsValue ToJs(Engine engine, object? value, int depth) => value switch
    {
        null => JsValue.Null,
        string s => new JsString(s),
        bool b => b ? JsBoolean.True : JsBoolean.False,
        long l => new JsNumber(l),
        double d => new JsNumber(d),
        Dictionary<string, object?> map => Object(engine, map, depth),
        List<object?> list => new JsArray(engine, list.Select(i => ToJs(engine, i, depth + 1)).ToArray()),
        _ => new JsString(value.ToString() ?? ""),
    };

    private static ObjectInstance Object(Engine engine, Dictionary<string, object?> map, int depth)
    {
        var result = new JsObject(engine);
        foreach (var (key, item) in map)
        {
            result.Set(key, ToJs(engine, item, depth + 1), true);
        }

        return result;
    }

    /// <summary>JS value → string, double, bool, null, Dictionary or List; functions and symbols become null.</summary>
    private static object? ToDotNet(JsValue value, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ExpressionProblem($"JavaScript: the result is nested deeper than {MaxDepth} levels or contains a cycle.");
        }

        if (value.IsNull() || value.IsUndefined())
        {
            return null;
        }

        switch (value)
        {
            case JsString:
                return value.AsString();
            case JsNumber:
                return value.AsNumber();
            case JsBoolean:
                return value.AsBoolean();
            case JsBigInt:
                return value.ToString();
            case JsDate date:
                return date.ToDateTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            case JsArray array:
            {
                var list = new List<object?>((int)Math.Min(array.Length, 10_000));
                for (uint i = 0; i < array.Length; i++)
                {
                    list.Add(ToDotNet(array.Get(i), depth + 1));
                }

                return list;
            }
            case ObjectInstance obj when !obj.IsCallable():
            {
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (key, descriptor) in obj.GetOwnProperties())
                {
                    // Data properties only: reading an accessor would run script outside the sandbox limits.
                    if (key.IsString() && descriptor.Enumerable && descriptor.IsDataDescriptor())
                    {
                        map[key.AsString()] = ToDotNet(descriptor.Value, depth + 1);
                    }
                }

                return map;
            }
            default:
                return null;
        }
    }
}
