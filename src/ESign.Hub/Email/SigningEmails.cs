using System.Net;
using ESign.Hub.Accounts;
using ESign.Hub.Hosting;
using ESign.Hub.SignatureRequests;
using ESign.Hub.Signing;

namespace ESign.Hub.Email;

/// <summary>The messages of the signing lifecycle. Every value from a request is HTML-encoded in the HTML part.</summary>
public sealed class SigningEmails(SigningLinks links, PublicUrls urls, Microsoft.Extensions.Options.IOptions<EmailOptions> options)
{
    public OutboundEmail Invitation(Account account, SignatureRequest request, Signer signer, DateTime now) =>
        ToSigner(account, request, signer, "invitation", $"{account.Name} sent you “{request.Title}” to sign",
            $"{account.Name} asks you to review and sign “{request.Title}”.", "Review and sign", now);

    public OutboundEmail YourTurn(Account account, SignatureRequest request, Signer signer, DateTime now) =>
        ToSigner(account, request, signer, "your_turn", $"It is your turn to sign “{request.Title}”",
            $"The people before you have signed “{request.Title}”. It is your turn now.", "Review and sign", now);

    public OutboundEmail Reminder(Account account, SignatureRequest request, Signer signer, DateTime now) =>
        ToSigner(account, request, signer, "reminder", $"Reminder: “{request.Title}” is waiting for your signature",
            $"{account.Name} is still waiting for your signature on “{request.Title}”" +
            (request.ExpiresAt is { } at ? $"; the request expires on {at:yyyy-MM-dd HH:mm} UTC." : "."), "Review and sign", now);

    public OutboundEmail Completed(Account account, SignatureRequest request, Signer signer, DateTime now) =>
        Compose(account, request, "completed", signer.Name, signer.Email, $"“{request.Title}” is signed by everyone",
            [$"Everyone has signed “{request.Title}”. The signed PDF, with its audit certificate and the platform's seal, is ready."],
            ("Download the signed PDF", $"{urls.SigningUrl(links.Unseal(signer.AccessTokenSealed))}/signed.pdf"), now);

    public OutboundEmail Declined(Account account, SignatureRequest request, Signer recipient, Signer decliner, DateTime now) =>
        Compose(account, request, "declined", recipient.Name, recipient.Email, $"{decliner.Name} declined to sign “{request.Title}”",
            [$"{decliner.Name} ({decliner.Email}) declined to sign “{request.Title}”, so the request has ended and nobody else needs to sign.",
             $"Their reason: {decliner.DeclineReason}"], null, now);

    public OutboundEmail Escalation(Account account, SignatureRequest request, string to, IEnumerable<Signer> pending, DateTime now) =>
        Compose(account, request, "escalation", to, to, $"Escalation: “{request.Title}” is still not signed",
            [$"“{request.Title}” ({request.Id}) was sent on {request.CreatedAt:yyyy-MM-dd} UTC and {request.RemindersSent} reminder(s) went unanswered.",
             "Still to sign: " + string.Join(", ", pending.Select(s => $"{s.Name} <{s.Email}>")) + "."], null, now);

    private OutboundEmail ToSigner(Account account, SignatureRequest request, Signer signer, string kind, string subject, string lead,
        string action, DateTime now)
    {
        var paragraphs = new List<string> { $"Hello {signer.Name},", lead };
        if (!string.IsNullOrWhiteSpace(request.Message)) paragraphs.Add($"Message from {account.Name}: {request.Message}");
        paragraphs.Add("The link is personal: do not forward this email.");
        return Compose(account, request, kind, signer.Name, signer.Email, subject, paragraphs,
            (action, urls.SigningUrl(links.Unseal(signer.AccessTokenSealed))), now);
    }

    private OutboundEmail Compose(Account account, SignatureRequest request, string kind, string toName, string toAddress,
        string subject, IReadOnlyList<string> paragraphs, (string Label, string Url)? action, DateTime now)
    {
        var prefix = request.TestMode ? "[TEST] " : "";
        var text = string.Join("\n\n", paragraphs) + (action is { } a ? $"\n\n{a.Label}: {a.Url}" : "") +
                   $"\n\n— {account.Name}, via ESign.Hub";
        var html = $"""
            <div style="{EmailInlineStyles.Frame}">
              <p style="{EmailInlineStyles.Sender}">{Encode(account.Name)} via ESign.Hub{(request.TestMode ? " · test mode" : "")}</p>
              {string.Concat(paragraphs.Select(p => $"<p>{Encode(p)}</p>"))}
              {(action is { } b ? $"""<p style="{EmailInlineStyles.ButtonRow}"><a href="{Encode(b.Url)}" style="{EmailInlineStyles.Button}">{Encode(b.Label)}</a></p><p style="{EmailInlineStyles.LinkFallback}">Or open: {Encode(b.Url)}</p>""" : "")}
            </div>
            """;
        return OutboundEmail.Create(request.AccountId, request.TestMode, request.Id, kind, toName, toAddress, $"{account.Name} via ESign.Hub",
            prefix + subject, text, html, now, storedIsDelivered: !options.Value.UsesSmtp);
    }

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
