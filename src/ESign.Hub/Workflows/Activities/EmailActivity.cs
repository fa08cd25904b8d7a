using System.Net;
using System.Net.Mail;
using ESign.Hub.Email;
using ESign.Hub.Storage;
using ESign.Hub.Workflows.Definitions;
using ESign.Hub.Workflows.Runtime;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Workflows.Activities;

/// <summary>
/// Hub.Email.Send: <c>to</c> (an address, or a list), <c>subject</c>, <c>body</c> (text; also sent as escaped HTML) and an
/// optional <c>fromName</c>. The message joins the email outbox in the same transaction as the run's next commit,
/// so it is sent once even if the hub stops right after this activity.
/// </summary>
public sealed class SendEmailActivity : WorkflowActivity
{
    public const int MaxRecipients = 50;

    public override ActivityDescriptor Descriptor { get; } = new("Hub.Email.Send", "Email", "Send Email",
        "Sends an email through the hub's outbox, once even if the hub stops right after.")
    {
        Inputs =
        [
            new("to", "String[]", $"An address or a list of them (at most {MaxRecipients}).") { Required = true },
            new("subject", "String", "At most 255 characters.") { Required = true },
            new("body", "String", "The text (also sent as escaped HTML).") { UiHint = InputUiHint.MultiLine },
            new("fromName", "String", "The sender's display name.") { Default = "ESign.Hub" },
        ],
        Outputs = [new("recipients", "String[]", "The addresses sent to.")],
    };
    public override bool HasSideEffects => true;

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        RequireScope(context);
        var recipients = Recipients(context.Evaluate("to"), "to");
        Send(context, recipients, context.RequireString("subject"), context.GetString("body") ?? "", context.GetString("fromName") ?? "ESign.Hub");
        return ValueTask.FromResult(ActivityResult.Done);
    }

    /// <summary>The run's caller, if the run may send email (checked before any input, so a run without the scope says so first).</summary>
    public static Auth.Caller RequireScope(ActivityContext context) => RunPermissions.Require(context, Auth.Scopes.EmailSend, "send email");

    /// <summary>
    /// Adds one outbox message per recipient, saved with the run's next commit; the run needs <c>email:send</c>. The
    /// limits are the same for every activity that sends mail.
    /// </summary>
    public static void Send(ActivityContext context, IReadOnlyList<string> recipients, string subject, string body, string fromName)
    {
        var caller = RequireScope(context);
        subject = subject.ReplaceLineEndings(" ");
        if (subject.Length > 255) throw new ActivityFailure("'subject' is longer than 255 characters.");
        if (body.Length > 100_000) throw new ActivityFailure("'body' is longer than 100,000 characters.");
        if (recipients.Count > MaxRecipients) throw new ActivityFailure($"the message has {recipients.Count} recipients; use at most {MaxRecipients}.");

        var db = context.Services.GetRequiredService<HubDbContext>();
        var options = context.Services.GetRequiredService<IOptions<EmailOptions>>().Value;
        var html = $"<p>{WebUtility.HtmlEncode(body).ReplaceLineEndings("<br>")}</p>";
        foreach (var to in recipients)
            db.OutboundEmails.Add(OutboundEmail.Create(caller.AccountId, caller.TestMode, null, "workflow", to, to, fromName, subject, body, html,
                context.Now, storedIsDelivered: !options.UsesSmtp));
        context.SetOutput("recipients", recipients.Cast<object?>().ToList());
        context.Services.GetRequiredService<EmailDelivery>().Wake();
    }

    /// <summary>Addresses given as one address, a comma- or semicolon-separated list, or a JSON list; each must be an address.</summary>
    public static List<string> Recipients(object? value, string input, bool required = true)
    {
        var list = value switch
        {
            string s => s.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(),
            List<object?> items => items.Select(i => Convert.ToString(i, System.Globalization.CultureInfo.InvariantCulture)?.Trim() ?? "")
                .Where(s => s.Length > 0).ToList(),
            _ => [],
        };
        if (list.Count == 0 && required) throw new ActivityFailure($"'{input}' is empty; give an email address or a list of them.");
        if (list.Count > MaxRecipients) throw new ActivityFailure($"'{input}' has {list.Count} addresses; use at most {MaxRecipients}.");
        foreach (var address in list)
        {
            if (!MailAddress.TryCreate(address, out var parsed) || parsed.Address != address)
                throw new ActivityFailure($"'{address}' is not an email address.");
        }
        return list;
    }
}

/// <summary>
/// Elsa.SendEmail (Elsa 3's, and Elsa 2's SendEmail once imported): <c>to</c>, <c>cc</c> and <c>bcc</c> (each an address
/// or a list), <c>subject</c>, <c>body</c>, <c>from</c>. Sent through the hub's email outbox like Hub.Email.Send, with its
/// limits and its scope (<c>email:send</c>): every recipient gets their own message, and the hub's own sender address
/// is kept (<c>from</c> is shown as the sender's name, never used as the address, so a workflow cannot spoof one).
/// </summary>
public sealed class ElsaSendEmailActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.SendEmail", "Email", "Send Email",
        "Sends an email through the hub's outbox (Elsa's SendEmail): to, cc and bcc each get their own message.")
    {
        Inputs =
        [
            new("from", "String", "Shown as the sender's name; the hub sends from its own address."),
            new("to", "String[]", $"An address or a list of them (with cc and bcc, at most {SendEmailActivity.MaxRecipients}).") { Required = true },
            new("cc", "String[]", "More recipients."),
            new("bcc", "String[]", "More recipients, each sent their own copy."),
            new("subject", "String", "At most 255 characters."),
            new("body", "String", "The text (also sent as escaped HTML).") { UiHint = InputUiHint.MultiLine },
        ],
        Outputs = [new("recipients", "String[]", "The addresses sent to.")],
        Note = "sent through the hub's email outbox from the hub's own address ('from' becomes the sender's name); attachments are not sent",
        SupportOf = node => node.Inputs.TryGetValue("attachments", out var attachments)
            && attachments.Value.ValueKind is not (System.Text.Json.JsonValueKind.Null or System.Text.Json.JsonValueKind.Undefined)
            ? (SupportLevel.Degraded, "attachments are not sent by the hub's email") : null,
    };

    public override bool HasSideEffects => true;

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        SendEmailActivity.RequireScope(context);
        var recipients = SendEmailActivity.Recipients(context.Evaluate("to"), "to")
            .Concat(SendEmailActivity.Recipients(context.Evaluate("cc"), "cc", required: false))
            .Concat(SendEmailActivity.Recipients(context.Evaluate("bcc"), "bcc", required: false))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        SendEmailActivity.Send(context, recipients, context.GetString("subject") ?? "", context.GetString("body") ?? "", SenderName(context.GetString("from")));
        return ValueTask.FromResult(ActivityResult.Done);
    }

    /// <summary>"Jane &lt;jane@x.test&gt;" gives Jane, a bare address itself, nothing the hub's name; one line, at most 100 characters.</summary>
    private static string SenderName(string? from)
    {
        var name = string.IsNullOrWhiteSpace(from) ? "ESign.Hub"
            : MailAddress.TryCreate(from, out var parsed) ? (parsed.DisplayName.Length > 0 ? parsed.DisplayName : parsed.Address)
            : from.Trim();
        name = new string([.. name.Select(c => char.IsControl(c) ? ' ' : c)]).Trim();
        return name.Length > 100 ? name[..100] : name;
    }
}
