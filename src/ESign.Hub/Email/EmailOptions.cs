namespace ESign.Hub.Email;

/// <summary><c>Hub:Email</c>. Without <c>Smtp:Host</c> messages stay in the local outbox at <c>/dev/outbox</c>.</summary>
public sealed class EmailOptions
{
    public string FromAddress { get; set; } = "no-reply@esign-hub.localhost";
    public SmtpOptions Smtp { get; set; } = new();

    public bool UsesSmtp => !string.IsNullOrWhiteSpace(Smtp.Host);
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    /// <summary><c>starttls</c> (default), <c>tls</c> (implicit, port 465) or <c>none</c> (local relays only).</summary>
    public string Security { get; set; } = "starttls";
    public string? Username { get; set; }
    public string? Password { get; set; }
}
