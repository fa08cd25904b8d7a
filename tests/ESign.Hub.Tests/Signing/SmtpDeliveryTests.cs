using System.Net;
using ESign.Hub.Tests.Infrastructure;

namespace ESign.Hub.Tests.Signing;

/// <summary>With an SMTP relay configured, invitations leave over SMTP and the dev outbox is not exposed.</summary>
public sealed class SmtpDeliveryTests : IAsyncLifetime
{
    private readonly SmtpSink _relay = new();
    private SmtpHub? _hub;

    public async Task InitializeAsync()
    {
        _hub = new SmtpHub(_relay.Port);
        await ((IAsyncLifetime)_hub).InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)_hub!).DisposeAsync();
        await _relay.DisposeAsync();
    }

    [Fact]
    public async Task Invitation_is_sent_through_the_relay_with_the_signing_link()
    {
        var account = await _hub!.NewAccountAsync();
        var body = HttpExtensions.SignatureRequestBody(await account.Http.UploadPdfAsync());
        var email = $"ann.{Guid.NewGuid():N}@example.com";
        body["signers"] = new object[] { new { name = "Ann Lee", email }, new { name = "Bo Chan", email = "bo@example.com" } };
        var request = await account.Http.CreateSignatureRequestAsync(body);

        var mail = await _relay.WaitForAsync(email, TimeSpan.FromSeconds(20));
        Assert.Equal("contracts@acme.example", mail.From);
        Assert.Contains("Subject: [TEST]", mail.Mime);
        var token = new Uri((string)request["signers"]![0]!["signing_url"]!).Segments[^1];
        Assert.Contains(token, mail.Mime.Replace("=\r\n", "").Replace("=\n", ""));
        Assert.DoesNotContain(_relay.Messages, m => m.Recipients.Contains("bo@example.com")); // sequential: Bo waits

        var outbox = await _hub.Anonymous().GetAsync("/dev/outbox");
        Assert.Equal(HttpStatusCode.NotFound, outbox.StatusCode);
        var stored = Assert.Single(await _hub.OutboxAsync(email));
        Assert.NotNull(stored.SentAt);
        Assert.Equal(1, stored.Attempts);
    }

    private sealed class SmtpHub(int port) : HubFactory(Database.Sqlite)
    {
        protected override Dictionary<string, string?> Settings => new()
        {
            ["Hub:Email:Smtp:Host"] = "127.0.0.1",
            ["Hub:Email:Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Hub:Email:Smtp:Security"] = "none",
            ["Hub:Email:FromAddress"] = "contracts@acme.example",
        };
    }
}
