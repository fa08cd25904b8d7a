using System.Text.Json;
using ESign.Hub.Generation;
using ESign.Hub.Samples;

namespace ESign.Hub.Tests.Generation;

public sealed class TemplateRendererTests
{
    private static readonly TemplateRenderer Renderer = new();
    private static readonly RenderOptions English = new();

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static string Render(string template, string json = "{}", RenderOptions? options = null) =>
        Renderer.Render(template, Json(json), options ?? English, CancellationToken.None);

    [Fact]
    public void Contract_renders_loops_conditionals_money_and_dates()
    {
        var html = Renderer.Render(ContractSample.Template, ContractSample.Data(), English, CancellationToken.None);

        Assert.Contains("Service Agreement SA-2026-017", html);
        Assert.Contains("dated 1 March 2026", html);
        Assert.Contains("<td>3</td><td>Custom connector</td>", html);
        Assert.Contains("€1,234.50", html);
        Assert.Contains("Discount: €150.00", html);
        Assert.Contains("ACME &amp; Co", html);
        Assert.Contains("[sig|req|signer1]", html);
        Assert.Contains("[sig|req|signer2]", html);
    }

    [Fact]
    public void Money_and_date_follow_the_culture()
    {
        var html = Render("{{ money amount \"EUR\" }} | {{ date day \"d. MMMM yyyy\" }} | {{ money amount \"USD\" }}",
            """{"amount": 1234.5, "day": "2026-03-01"}""", new RenderOptions(Culture: "de-DE"));

        Assert.Equal("1.234,50 € | 1. März 2026 | 1.234,50 $", html);
    }

    [Fact]
    public void Money_in_en_US_uses_the_currency_symbol_and_zero_decimal_currencies()
    {
        var html = Render("{{ money 1234.5 \"USD\" }} {{ money 2 \"GBP\" }} {{ money 1234.5 \"JPY\" }}");

        Assert.StartsWith("$1,234.50 £2.00 ", html);
        Assert.EndsWith("1,235", html); // ICU gives the yen sign in its full-width form

    }

    [Fact]
    public void Date_formats_date_times_with_their_offset()
    {
        Assert.Equal("2026-03-01 14:30", Render("{{ date at \"yyyy-MM-dd HH:mm\" }}", """{"at": "2026-03-01T14:30:00+01:00"}"""));
    }

    [Fact]
    public void Data_strings_are_html_escaped()
    {
        var html = Render("<p>{{ a }}</p><p title=\"{{ b }}\">{{ b | string.upcase }}</p>",
            """{"a": "<script>alert(1)</script>", "b": "\"><img src=x onerror=alert(1)>"}""");

        Assert.Equal("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><p title=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\">"
            + "&quot;&gt;&lt;IMG SRC=X ONERROR=ALERT(1)&gt;</p>", html);
    }

    [Fact]
    public void Html_escape_in_a_template_does_not_escape_twice()
    {
        Assert.Equal("A &amp; B", Render("{{ x | html.escape }}", """{"x": "A & B"}"""));
    }

    [Fact]
    public void Keys_are_used_as_given()
    {
        Assert.Equal("1 2", Render("{{ FirstName }} {{ first_name }}", """{"FirstName": 1, "first_name": 2}"""));
    }

    [Fact]
    public void Syntax_error_reports_line_and_column()
    {
        var problem = Assert.Throws<TemplateProblem>(() => Renderer.Validate("<p>ok</p>\n<p>{{ for x in items }}{{ x }}</p>"));

        Assert.Equal(2, problem.Line);
        Assert.NotNull(problem.Column);
        Assert.Contains("line 2", problem.Message);
    }

    [Fact]
    public void Syntax_error_in_an_expression_points_at_it()
    {
        var problem = Assert.Throws<TemplateProblem>(() => Renderer.Validate("line one\nline two {{ 1 + }}"));

        Assert.Equal(2, problem.Line);
        Assert.True(problem.Column > 9, $"column {problem.Column}");
    }

    [Fact]
    public void Valid_template_passes_validation()
    {
        // Validation of a good template reports nothing; the same check names the line of a broken one (next tests).
        Assert.Null(Record.Exception(() => Renderer.Validate(ContractSample.Template)));
        var broken = Assert.Throws<TemplateProblem>(() => Renderer.Validate(ContractSample.Template + "\n{{ for x in items }}"));
        Assert.NotNull(broken.Line);
    }

    [Fact]
    public void Missing_variable_is_named()
    {
        var problem = Assert.Throws<TemplateProblem>(() => Render("Hello\n{{ customer_name }}"));

        Assert.Contains("customer_name", problem.Message);
        Assert.Equal(2, problem.Line);
    }

    [Fact]
    public void Missing_member_is_named()
    {
        var problem = Assert.Throws<TemplateProblem>(() => Render("{{ customer.nickname }}", """{"customer": {"name": "A"}}"""));

        Assert.Contains("nickname", problem.Message);
    }

    [Fact]
    public void Loop_limit_stops_long_loops()
    {
        var problem = Assert.Throws<TemplateProblem>(() => Render("{{ for i in 1..5000 }}x{{ end }}"));
        Assert.Contains("LoopLimit", problem.Message, StringComparison.OrdinalIgnoreCase);

        Assert.Throws<TemplateProblem>(() => Render("{{ while true }}x{{ end }}"));
    }

    [Fact]
    public void Recursion_limit_stops_recursive_functions()
    {
        var problem = Assert.Throws<TemplateProblem>(() => Render("{{ func f(n); ret f(n + 1); end; f 1 }}"));

        Assert.Contains("recursive", problem.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Output_limit_throws_instead_of_truncating()
    {
        // 900 iterations of 1,000 characters: inside the loop limit, above the 512 KB output limit.
        var problem = Assert.Throws<TemplateProblem>(() => Render("{{ for i in 1..900 }}{{ line }}{{ end }}",
            $$"""{"line": "{{new string('x', 1000)}}"}"""));

        Assert.Contains("OutputLimit", problem.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void String_growth_hits_the_string_limit()
    {
        Assert.Throws<TemplateProblem>(() => Render("{{ s = \"xxxxxxxxxxxxxxxx\"; for i in 1..30; s = s + s; end; s | string.size }}"));
    }

    [Fact]
    public void Template_over_512_KB_is_refused()
    {
        var problem = Assert.Throws<TemplateProblem>(() => Renderer.Validate(new string('a', 512 * 1024 + 1)));

        Assert.Contains("512 KB", problem.Message);
    }

    [Fact]
    public void A_catastrophic_regular_expression_stops_at_its_own_limit_with_a_clear_message()
    {
        var started = DateTime.UtcNow;
        var problem = Assert.Throws<TemplateProblem>(() => Render(
            "{{ s | regex.match \"^(a|aa)+$\" | array.size }}",
            $$"""{"s": "{{new string('a', 60)}}!"}"""));

        Assert.Equal("A regular expression in the template took longer than 250 ms.", problem.Message);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Render_time_is_limited_to_two_seconds()
    {
        // The loop limit counts all iterations, so slowness must come from the work per step: small backtracking regexes,
        // each far below its own 250 ms timeout (even on a busy machine), 20 per step, 999 steps: many seconds in all.
        var step = string.Concat(Enumerable.Repeat("{{ s | regex.match \"^(a|aa)+$\" | array.size }}", 20));
        var started = DateTime.UtcNow;
        var problem = Assert.Throws<TemplateProblem>(() => Render(
            "{{ for i in 1..999 }}" + step + "{{ end }}",
            $$"""{"s": "{{new string('a', 20)}}!"}"""));

        Assert.Contains("2 s", problem.Message);
        // Stopped at the limit, not at the end of the work. The upper bound leaves room for a loaded CI machine (the
        // whole suite runs two test classes at once beside Chromium): 5 s was once exceeded by 0.4 s there.
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Caller_cancellation_is_not_a_template_problem()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => Renderer.Render(
            "{{ for a in 1..999 }}{{ for b in 1..999 }}{{ x = a }}{{ end }}{{ end }}", Json("{}"), English, cancel.Token));
    }

    [Fact]
    public void Includes_and_dotnet_members_are_not_available()
    {
        Assert.Throws<TemplateProblem>(() => Render("{{ include 'x' }}"));
        Assert.Throws<TemplateProblem>(() => Render("{{ s.GetType }}", """{"s": "text"}"""));
        Assert.Throws<TemplateProblem>(() => Render("{{ s.Length }}", """{"s": "text"}"""));
    }

    [Fact]
    public void Catastrophic_regex_is_stopped()
    {
        Assert.Throws<TemplateProblem>(() => Render("{{ s | regex.match \"(a+)+$\" }}", $$"""{"s": "{{new string('a', 40)}}!"}"""));
    }

    [Fact]
    public void Data_must_be_an_object()
    {
        Assert.Throws<TemplateProblem>(() => Render("x", "[1, 2]"));
    }
}
