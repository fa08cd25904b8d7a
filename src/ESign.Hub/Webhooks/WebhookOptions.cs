using System.Globalization;

namespace ESign.Hub.Webhooks;

/// <summary><c>Hub:Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    /// <summary>Delays between attempts, e.g. <c>5s,1m,5m,30m,2h,5h,10h,10h,10h,10h</c> (about three days in all).</summary>
    public string RetrySchedule { get; set; } = "5s,1m,5m,30m,2h,5h,10h,10h,10h,10h";

    /// <summary>An endpoint that has failed for this long without one success is disabled (e.g. <c>3d</c>, <c>90s</c>).</summary>
    public string DisableAfter { get; set; } = "3d";

    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Deliveries sent at once by one hub process.</summary>
    public int Concurrency { get; set; } = 128;

    public IReadOnlyList<TimeSpan> Delays => RetrySchedule.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(ParseDuration).ToList();

    public TimeSpan DisableAfterSpan => ParseDuration(DisableAfter);

    /// <summary>Reads <c>500ms</c>, <c>5s</c>, <c>1m</c>, <c>2h</c>, <c>3d</c>.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        text = text.Trim();
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], "ms") : (text[..^1], text[^1..]);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
            throw new FormatException($"'{text}' is not a duration like 500ms, 5s, 1m, 2h or 3d.");
        return unit switch
        {
            "ms" => TimeSpan.FromMilliseconds(value),
            "s" => TimeSpan.FromSeconds(value),
            "m" => TimeSpan.FromMinutes(value),
            "h" => TimeSpan.FromHours(value),
            "d" => TimeSpan.FromDays(value),
            _ => throw new FormatException($"'{text}' is not a duration like 500ms, 5s, 1m, 2h or 3d."),
        };
    }
}
