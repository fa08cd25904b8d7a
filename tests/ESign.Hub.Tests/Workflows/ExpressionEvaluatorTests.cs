using System.Diagnostics;
using System.Text.Json;
using ESign.Hub.Workflows.Definitions;
using ESign.Hub.Workflows.Expressions;

namespace ESign.Hub.Tests.Workflows;

public class ExpressionEvaluatorTests
{
    private readonly ExpressionEvaluator _evaluator = new();

    private static InputValue Expr(string type, string json) =>
        new("Object", type, JsonDocument.Parse(json).RootElement.Clone());

    private static InputValue Script(string type, string text) =>
        new("Object", type, JsonSerializer.SerializeToElement(text));

    private static ExpressionScope Scope() => new(new Dictionary<string, object?> { ["Amount"] = 1500L, ["Name"] = "Ada" })
    {
        Input = new Dictionary<string, object?> { ["name"] = "Grace", ["items"] = new[] { 1, 2, 3 } },
        ActivityOutputs = new Dictionary<string, IReadOnlyDictionary<string, object?>>
        {
            ["send1"] = new Dictionary<string, object?> { ["EnvelopeId"] = "env-1" },
        },
    };

    private object? Eval(InputValue input, ExpressionScope? scope = null) =>
        _evaluator.Evaluate(input, scope ?? Scope(), CancellationToken.None);

    private ExpressionProblem Problem(InputValue input, ExpressionScope? scope = null) =>
        Assert.Throws<ExpressionProblem>(() => Eval(input, scope));

    [Fact]
    public void Literal_values_become_plain_dotnet()
    {
        Assert.Equal("hi", Eval(Expr("Literal", "\"hi\"")));
        Assert.Equal(42L, Eval(Expr("Literal", "42")));
        Assert.Equal(1.5, Eval(Expr("Literal", "1.5")));
        Assert.Equal(true, Eval(Expr("Literal", "true")));
        Assert.Null(Eval(Expr("Literal", "null")));
    }

    [Fact]
    public void Object_parses_json_string_or_inline_json()
    {
        var fromString = Assert.IsType<Dictionary<string, object?>>(Eval(Script("Object", """{"a":1,"b":[true,"x"]}""")));
        Assert.Equal(1L, fromString["a"]);
        Assert.Equal(new List<object?> { true, "x" }, fromString["b"]);

        var inline = Assert.IsType<Dictionary<string, object?>>(Eval(Expr("Object", """{"a":{"b":null}}""")));
        Assert.Null(Assert.IsType<Dictionary<string, object?>>(inline["a"])["b"]);

        Assert.StartsWith("Object: the value is not valid JSON", Problem(Script("Object", "{nope")).Message);
    }

    [Fact]
    public void Variable_reads_named_variable_and_names_unknown_ones()
    {
        Assert.Equal(1500L, Eval(Script("Variable", "Amount")));
        Assert.Equal("Ada", Eval(Expr("Variable", """{"id":"v1","name":"Name"}""")));
        Assert.Contains("'Missing'", Problem(Script("Variable", "Missing")).Message);
    }

    [Fact]
    public void JavaScript_sees_variables_input_and_outputs()
    {
        Assert.Equal(3000.0, Eval(Script("JavaScript", "variables.Amount * 2")));
        Assert.Equal(true, Eval(Script("JavaScript", "getVariable('Amount') > 1000")));
        Assert.Equal("Grace", Eval(Script("JavaScript", "getInput('name')")));
        Assert.Equal("Grace!", Eval(Script("JavaScript", "input.name + '!'")));
        Assert.Equal(3.0, Eval(Script("JavaScript", "input.items.length")));
        Assert.Equal("env-1", Eval(Script("JavaScript", "getOutputFrom('send1', 'EnvelopeId')")));
        Assert.Null(Eval(Script("JavaScript", "undefined")));
    }

    [Fact]
    public void JavaScript_results_are_plain_dotnet()
    {
        var result = Assert.IsType<Dictionary<string, object?>>(Eval(Script("JavaScript", "({ a: [1, 'x', null], b: { c: true } })")));
        Assert.Equal(new List<object?> { 1.0, "x", null }, result["a"]);
        Assert.Equal(true, Assert.IsType<Dictionary<string, object?>>(result["b"])["c"]);
    }

    [Fact]
    public void JavaScript_writes_variables_back_to_the_scope()
    {
        var scope = Scope();
        Eval(Script("JavaScript", "setVariable('Approved', true); variables.Amount = variables.Amount + 1; variables.Note = 'ok'"), scope);

        Assert.Equal(true, scope.Variables["Approved"]);
        Assert.Equal(1501.0, scope.Variables["Amount"]);
        Assert.Equal("ok", scope.Variables["Note"]);
    }

    [Fact]
    public void JavaScript_failed_script_leaves_variables_unchanged()
    {
        var scope = Scope();
        Problem(Script("JavaScript", "setVariable('Approved', true); throw new Error('boom')"), scope);
        Assert.False(scope.Variables.ContainsKey("Approved"));
    }

    [Fact]
    public void JavaScript_errors_carry_the_js_message()
    {
        Assert.Equal("JavaScript: Error: boom", Problem(Script("JavaScript", "throw new Error('boom')")).Message);
        var syntax = Problem(Script("JavaScript", "let x = ;")).Message;
        Assert.StartsWith("JavaScript: ", syntax);
        Assert.Contains("Unexpected token", syntax);
        Assert.Contains("not defined", Problem(Script("JavaScript", "nope + 1")).Message);
    }

    [Fact]
    public void JavaScript_infinite_loop_is_stopped_quickly()
    {
        var watch = Stopwatch.StartNew();
        var problem = Problem(Script("JavaScript", "while(true){}"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
        Assert.Equal("JavaScript: the script ran more than 10,000 statements", problem.Message);
    }

    [Fact]
    public void JavaScript_deep_recursion_is_stopped()
    {
        Assert.Equal("JavaScript: recursion deeper than 64 calls", Problem(Script("JavaScript", "function f(n) { return f(n + 1); } f(0)")).Message);
    }

    [Theory]
    [InlineData("new Array(1e8).fill(1).length")]
    [InlineData("let s = 'x'; for (let i = 0; i < 40; i++) { s = s + s; } s.length")]
    [InlineData("const a = []; for (let i = 0; i < 9000; i++) { a.push('x'.repeat(1000) + i); } a.length")]
    public void JavaScript_huge_allocation_is_stopped(string script)
    {
        Assert.Equal("JavaScript: the script used more than 4 MB of memory", Problem(Script("JavaScript", script)).Message);
    }

    [Theory]
    [InlineData("System.IO.File.ReadAllText('/etc/passwd')")]
    [InlineData("importNamespace('System.IO')")]
    [InlineData("clr")]
    [InlineData("variables.constructor.constructor('return this')()")]
    [InlineData("require('fs')")]
    [InlineData("eval('1+1')")]
    [InlineData("new Function('return 1')()")]
    public void JavaScript_has_no_host_access(string script)
    {
        Assert.StartsWith("JavaScript: ", Problem(Script("JavaScript", script)).Message);
    }

    [Fact]
    public void JavaScript_import_is_rejected()
    {
        Assert.StartsWith("JavaScript: ", Problem(Script("JavaScript", "import fs from 'fs'")).Message);
        Assert.StartsWith("JavaScript: ", Problem(Script("JavaScript", "import('fs')")).Message);
    }

    [Fact]
    public void JavaScript_honours_cancellation()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => _evaluator.Evaluate(Script("JavaScript", "1"), Scope(), cts.Token));
    }

    [Fact]
    public void Liquid_renders_variables_and_input()
    {
        Assert.Equal("Amount 1500 for Grace", Eval(Script("Liquid", "Amount {{ variables.Amount }} for {{ input.name }}")));
        Assert.Equal("123", Eval(Script("Liquid", "{% for i in input.items %}{{ i }}{% endfor %}")));
        Assert.Equal("big", Eval(Script("Liquid", "{% if variables.Amount > 1000 %}big{% else %}small{% endif %}")));
    }

    [Fact]
    public void Liquid_limits_loops_and_rejects_unknown_variables()
    {
        Assert.StartsWith("Liquid: ", Problem(Script("Liquid", "{% for i in (1..5000) %}x{% endfor %}")).Message);
        var strict = Problem(Script("Liquid", "{{ nope }}")).Message;
        Assert.StartsWith("Liquid: ", strict);
        Assert.Contains("nope", strict);
        Assert.StartsWith("Liquid: ", Problem(Script("Liquid", "{% if %}")).Message);
    }

    [Fact]
    public void Liquid_limits_output()
    {
        Assert.StartsWith("Liquid: ", Problem(Script("Liquid", "{% for i in (1..900) %}{{ '0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789' }}{% endfor %}")).Message);
    }

    [Theory]
    [InlineData("CSharp")]
    [InlineData("Python")]
    [InlineData("Whatever")]
    public void Other_expression_types_are_not_supported(string type)
    {
        Assert.Equal($"{type} expressions are not supported; use JavaScript or Liquid.", Problem(Script(type, "1")).Message);
    }

    [Fact]
    public void Evaluator_is_safe_to_share_across_threads()
    {
        Parallel.For(0, 32, i => Assert.Equal((double)i * 2, Eval(Script("JavaScript", $"{i} * 2"))));
    }
}
