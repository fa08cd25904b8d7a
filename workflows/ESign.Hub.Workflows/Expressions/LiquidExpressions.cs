using Scriban;
using Scriban.Runtime;
using Scriban.Syntax;

namespace ESign.Hub.Workflows.Expressions;

/// <summary>
/// Liquid via Scriban in a strict context: loop, recursion and output limits, strict variables, no
/// includes, a 1 s time limit, and only plain data (no .NET objects) in scope.
/// </summary>
internal static class LiquidExpressions
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    public const int LoopLimit = 1000;
    public const int RecursiveLimit = 50;
    public const int OutputLimit = 64 * 1024;

    public static string Evaluate(string text, ExpressionScope scope, CancellationToken ct)
    {
        var template = Template.ParseLiquid(text);
        if (template.HasErrors)
        {
            throw new ExpressionProblem($"Liquid: {string.Join("; ", template.Messages.Select(m => m.ToString()))}");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);

        var variables = ToScriban(PlainValues.Normalize(scope.Variables));
        var input = ToScriban(PlainValues.Normalize(scope.Input));
        var globals = new ScriptObject
        {
            ["variables"] = variables,
            ["input"] = input,
            ["outputs"] = ToScriban(PlainValues.Normalize(scope.ActivityOutputs)),
            // Elsa's Liquid names, so imported templates ({{ Variables.Amount }}) render unchanged.
            ["Variables"] = variables,
            ["Input"] = input,
        };
        var context = new LiquidTemplateContext
        {
            LoopLimit = LoopLimit,
            RecursiveLimit = RecursiveLimit,
            OutputLimit = OutputLimit,
            OnOutputLimit = ScriptLimitBehavior.Throw,
            StrictVariables = true,
            RegexTimeOut = Timeout,
            TemplateLoader = null,
            CancellationToken = timeout.Token,
        };
        context.PushGlobal(globals);

        try
        {
            return template.Render(context);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException ex)
        {
            throw new ExpressionProblem($"Liquid: the template ran longer than {Timeout.TotalSeconds:0} s", ex);
        }
        catch (ScriptRuntimeException ex)
        {
            throw new ExpressionProblem($"Liquid: {ex.Message}", ex);
        }
    }

    private static object? ToScriban(object? value) => value switch
    {
        Dictionary<string, object?> map => map.Aggregate(new ScriptObject(), (o, p) => { o[p.Key] = ToScriban(p.Value); return o; }),
        List<object?> list => new ScriptArray(list.Select(ToScriban)),
        _ => value,
    };
}
