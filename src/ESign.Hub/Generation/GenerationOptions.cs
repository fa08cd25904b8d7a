using System.ComponentModel.DataAnnotations;

namespace ESign.Hub.Generation;

/// <summary>Settings under <c>Hub:Generation</c>.</summary>
public sealed class GenerationOptions
{
    public const string Section = "Hub:Generation";

    /// <summary>The Chromium executable (Debian's wrapper script by default).</summary>
    [Required]
    public string ChromiumPath { get; set; } = "/usr/bin/chromium";

    /// <summary>Pages kept open and reused; more than the number of cores gains nothing.</summary>
    [Range(1, 16)]
    public int PagePoolSize { get; set; } = 2;

    /// <summary>Upper bound of one HTML → PDF render, waiting for a page and one retry included.</summary>
    [Range(1, 300)]
    public int RenderTimeoutSeconds { get; set; } = 20;
}
