using System.Net;
using System.Text;
using ESign.Hub.Storage;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Email;

/// <summary>
/// <c>/dev/outbox</c>: the local mailbox of the embedded default, so a newcomer can click through a whole signing on
/// one machine. Mapped only when no SMTP server is configured; it shows every account's mail, so never expose a hub
/// without SMTP beyond loopback.
/// </summary>
public static class DevOutboxEndpoints
{
    public static IEndpointRouteBuilder MapDevOutbox(this IEndpointRouteBuilder app)
    {
        var outbox = app.MapGroup("/dev/outbox").ExcludeFromDescription().AllowAnonymous()
            .AddEndpointFilter(async (context, next) => IsLocal(context.HttpContext)
                ? await next(context)
                : Results.Problem(statusCode: 404, detail: "The development outbox is only shown to this machine (loopback)."));
        outbox.MapGet("/", ListMessages);
        outbox.MapGet("/outbox.css", () => Results.Text(Stylesheet, "text/css; charset=utf-8"));
        outbox.MapGet("/{id}", ShowMessage);
        return app;
    }

    /// <summary>The outbox holds every signer's link: only a browser on this machine may read it.</summary>
    private static bool IsLocal(HttpContext http) =>
        http.Connection.RemoteIpAddress is not { } ip || System.Net.IPAddress.IsLoopback(ip);

    private static async Task<IResult> ListMessages(HttpContext http, HubDbContext db, CancellationToken ct)
    {
        var messages = await db.OutboundEmails.IgnoreQueryFilters().AsNoTracking()
            .OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id).Take(200)
            .Select(e => new { e.Id, e.ToName, e.ToAddress, e.Subject, e.CreatedAt, e.Kind }).ToListAsync(ct);
        var rows = new StringBuilder();
        foreach (var m in messages)
            rows.Append($"""<tr><td>{m.CreatedAt:yyyy-MM-dd HH:mm:ss}</td><td>{E(m.ToName)} &lt;{E(m.ToAddress)}&gt;</td><td><a href="/dev/outbox/{E(m.Id)}">{E(m.Subject)}</a></td><td>{E(m.Kind)}</td></tr>""");
        return Page(http, "Outbox", $"""
            <h1>Outbox</h1>
            <p class="note">No SMTP server is configured (Hub:Email:Smtp:Host), so ESign.Hub keeps its email here. Newest first.</p>
            <table><thead><tr><th>Time (UTC)</th><th>To</th><th>Subject</th><th>Kind</th></tr></thead><tbody>{rows}</tbody></table>
            {(messages.Count == 0 ? "<p>No messages yet. Send a signature request and its invitations appear here.</p>" : "")}
            """);
    }

    private static async Task<IResult> ShowMessage(string id, HttpContext http, HubDbContext db, CancellationToken ct)
    {
        var m = await db.OutboundEmails.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct);
        if (m is null) return Results.Problem(statusCode: 404, detail: $"No message '{id}' in the outbox.");
        // The HTML body was composed by us with every value encoded; it is shown as the recipient would see it.
        return Page(http, m.Subject, $"""
            <p><a href="/dev/outbox">← Outbox</a></p>
            <h1>{E(m.Subject)}</h1>
            <p class="note">From {E(m.FromName)} · To {E(m.ToName)} &lt;{E(m.ToAddress)}&gt; · {m.CreatedAt:yyyy-MM-dd HH:mm:ss} UTC</p>
            <div class="mail">{m.HtmlBody}</div>
            """);
    }

    private const string Stylesheet = """
        body { font-family: system-ui, sans-serif; max-width: 960px; margin: 2rem auto; padding: 0 1rem; color: #1f2937; }
        table { border-collapse: collapse; width: 100%; }
        td, th { text-align: left; padding: .5rem; border-bottom: 1px solid #e5e7eb; font-size: 14px; }
        .note { color: #6b7280; }
        .mail { border: 1px solid #e5e7eb; border-radius: 8px; padding: 1.5rem; }
        """;

    /// <summary>
    /// No script, no inline style but the emails' own style attributes (by hash: mail clients need them inline), nothing
    /// from elsewhere, and never framed.
    /// </summary>
    private static readonly string ContentSecurityPolicy =
        $"default-src 'none'; script-src 'none'; style-src 'self' 'unsafe-hashes' {string.Join(' ', EmailInlineStyles.HashSources)}; " +
        "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static IResult Page(HttpContext http, string title, string body)
    {
        http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        return Results.Content($"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{E(title)} · ESign.Hub</title>
            <link rel="stylesheet" href="/dev/outbox/outbox.css"></head>
            <body>{body}</body></html>
            """, "text/html; charset=utf-8");
    }

    private static string E(string? value) => WebUtility.HtmlEncode(value ?? "");
}
