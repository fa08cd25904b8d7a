namespace ESign.Hub.Signing;

/// <summary><c>Hub:Signing</c>: how signing pages may be embedded and how long their tokens live.</summary>
public sealed class SigningOptions
{
    /// <summary>
    /// CSP <c>frame-ancestors</c> sources allowed to show signing pages in an iframe, e.g. <c>https://app.example.com</c>.
    /// Default: only the hub itself.
    /// </summary>
    public string[] FrameAncestors { get; set; } = [];

    public int EmbeddedUrlLifetimeSeconds { get; set; } = 300;

    public int SessionLifetimeMinutes { get; set; } = 60;

    /// <summary>How often the scheduler looks for due reminders, escalations, expiries and unsealed requests.</summary>
    public int SchedulerIntervalSeconds { get; set; } = 15;

    /// <summary>Resolution of the page images shown to signers.</summary>
    public int PageImageDpi { get; set; } = 110;
}
