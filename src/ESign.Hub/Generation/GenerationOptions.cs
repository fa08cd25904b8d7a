using System.ComponentModel.DataAnnotations;

namespace ESign.Hub.Generation;

/// <summary>Settings under <c>Hub:Generation</c>.</summary>
public sealed class GenerationOptions
{
    public const string Section = "Hub:Generation";

    /// <summary>
    /// The Chromium executable. By default Debian's <c>chromium-headless-shell</c>: Chromium's headless shell prints a PDF
    /// inside its own processes, where the full browser (<c>/usr/bin/chromium</c>, which also works) starts a
    /// print-compositor process for every document and renders about 4× fewer documents a second. The binary itself, not
    /// Debian's <c>/usr/bin</c> wrapper script, which would stand between the hub and the browser process it watches.
    /// </summary>
    [Required]
    public string ChromiumPath { get; set; } = "/usr/lib/chromium/chromium-headless-shell";

    /// <summary>Pages kept open and reused; more than the number of cores gains nothing.</summary>
    [Range(1, 16)]
    public int PagePoolSize { get; set; } = 2;

    /// <summary>Upper bound of one HTML → PDF render, waiting for a page and one retry included.</summary>
    [Range(1, 300)]
    public int RenderTimeoutSeconds { get; set; } = 20;
}
