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
        var caller = RunPermissions.Require(context, Auth.Scopes.EmailSend, "send email");
        var recipients = Recipients(context.Evaluate("to"));
        var subject = context.RequireString("subject").ReplaceLineEndings(" ");
        if (subject.Length > 255) throw new ActivityFailure("'subject' is longer than 255 characters.");
        var body = context.GetString("body") ?? "";
        if (body.Length > 100_000) throw new ActivityFailure("'body' is longer than 100,000 characters.");
        var fromName = context.GetString("fromName") ?? "ESign.Hub";

        var db = context.Services.GetRequiredService<HubDbContext>();
        var options = context.Services.GetRequiredService<IOptions<EmailOptions>>().Value;
        var html = $"<p>{WebUtility.HtmlEncode(body).ReplaceLineEndings("<br>")}</p>";
        foreach (var to in recipients)
            db.OutboundEmails.Add(OutboundEmail.Create(caller.AccountId, caller.TestMode, null, "workflow", to, to, fromName, subject, body, html,
                context.Now, storedIsDelivered: !options.UsesSmtp));
        context.SetOutput("recipients", recipients);
        context.Services.GetRequiredService<EmailDelivery>().Wake();
        return ValueTask.FromResult(ActivityResult.Done);
    }

    private static List<string> Recipients(object? value)
    {
        var list = value switch
        {
            string s => s.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(),
            List<object?> items => items.Select(i => Convert.ToString(i, System.Globalization.CultureInfo.InvariantCulture)?.Trim() ?? "").ToList(),
            _ => [],
        };
        if (list.Count == 0) throw new ActivityFailure("'to' is empty; give an email address or a list of them.");
        if (list.Count > MaxRecipients) throw new ActivityFailure($"'to' has {list.Count} addresses; use at most {MaxRecipients}.");
        foreach (var address in list)
        {
            if (!MailAddress.TryCreate(address, out var parsed) || parsed.Address != address)
                throw new ActivityFailure($"'{address}' is not an email address.");
        }
        return list;
    }
}
