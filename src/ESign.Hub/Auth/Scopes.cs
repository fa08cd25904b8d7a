namespace ESign.Hub.Auth;

/// <summary>The permissions an API key or OAuth client can hold. <c>admin</c> implies every other scope.</summary>
public static class Scopes
{
    public const string DocumentsRead = "documents:read";
    public const string DocumentsWrite = "documents:write";
    public const string SignatureRequestsRead = "signature_requests:read";
    public const string SignatureRequestsWrite = "signature_requests:write";
    public const string TemplatesRead = "templates:read";
    public const string TemplatesWrite = "templates:write";
    public const string WebhooksManage = "webhooks:manage";
    public const string WorkflowsManage = "workflows:manage";
    /// <summary>Send email to any address from the hub (workflows' Hub.Email.Send).</summary>
    public const string EmailSend = "email:send";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All =
    [
        DocumentsRead, DocumentsWrite, SignatureRequestsRead, SignatureRequestsWrite,
        TemplatesRead, TemplatesWrite, WebhooksManage, WorkflowsManage, EmailSend, Admin,
    ];

    public static bool IsKnown(string scope) => All.Contains(scope, StringComparer.Ordinal);

    public static string Join(IEnumerable<string> scopes) => string.Join(' ', scopes.Distinct().Order(StringComparer.Ordinal));

    public static string[] Split(string? scopes) =>
        string.IsNullOrWhiteSpace(scopes) ? [] : scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
