namespace ESign.Hub.Generation;

/// <summary>
/// A template that cannot be parsed or rendered with the given data: a syntax error, a missing variable or member,
/// or a sandbox limit. <see cref="Line"/> and <see cref="Column"/> are 1-based when the problem has a place in the template.
/// </summary>
public sealed class TemplateProblem(string message, int? line = null, int? column = null) : Exception(message)
{
    public int? Line { get; } = line;

    public int? Column { get; } = column;
}
