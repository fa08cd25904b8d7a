using System.Security.Cryptography;
using System.Text;

namespace ESign.Hub.Email;

/// <summary>
/// The style attributes of the emails the hub composes. Mail clients want styles inline, while the hub's own pages
/// allow no inline style; the dev outbox shows these emails under a policy that allows exactly these values, by hash.
/// </summary>
public static class EmailInlineStyles
{
    public const string Frame = "font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;max-width:560px;margin:0 auto;color:#1f2937;line-height:1.5";
    public const string Sender = "font-size:13px;color:#6b7280;margin:0 0 16px";
    public const string ButtonRow = "margin:24px 0";
    public const string Button = "background:#1d4ed8;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:600";
    public const string LinkFallback = "font-size:12px;color:#6b7280";

    /// <summary>CSP hash sources (<c>'sha256-…'</c>) of every style above, for <c>style-src 'unsafe-hashes'</c>.</summary>
    public static IReadOnlyList<string> HashSources { get; } = [.. new[] { Frame, Sender, ButtonRow, Button, LinkFallback }
        .Select(style => $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(style)))}'")];
}
