using System.Net;
using System.Net.Sockets;
using System.Text;
using ESign.Hub.Webhooks;

namespace ESign.Hub.Tests.Webhooks;

/// <summary>
/// SSRF guard: which URLs are accepted in live and test mode, which addresses count as public, and that the handler
/// refuses internal addresses at connect time. Only loopback is ever connected to; other addresses are only validated.
/// </summary>
public sealed class OutboundUrlGuardTests
{
    [Theory]
    [InlineData("https://example.com/hook")]
    [InlineData("https://example.com:8443/hooks/esign?tenant=42")]
    [InlineData("https://hooks.example.co.uk/")]
    [InlineData("https://93.184.215.14/hook")]
    [InlineData("https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/hook")]
    [InlineData("https://xn--bcher-kva.example/")]
    [InlineData("https://localhost.example.com/")]
    public void Live_mode_accepts(string url)
    {
        Assert.Null(OutboundUrlGuard.Validate(url, testMode: false));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("/hooks/esign")]
    [InlineData("hooks/esign")]
    [InlineData("example.com/hook")]
    [InlineData(" https://example.com/hook")]
    [InlineData("ftp://example.com/hook")]
    [InlineData("file:///etc/passwd")]
    [InlineData("gopher://example.com/")]
    [InlineData("http://example.com/")]
    [InlineData("https://user:password@example.com/")]
    [InlineData("https://user@example.com/")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://10.0.0.1/")]
    [InlineData("https://172.16.5.4/")]
    [InlineData("https://172.31.255.255/")]
    [InlineData("https://192.168.1.1/")]
    [InlineData("https://100.64.0.1/")]
    [InlineData("https://127.0.0.1/")]
    [InlineData("https://127.1/")]
    [InlineData("https://2130706433/")]
    [InlineData("https://0x7f.0.0.1/")]
    [InlineData("https://0.0.0.0/")]
    [InlineData("https://255.255.255.255/")]
    [InlineData("https://224.0.0.1/")]
    [InlineData("https://[::1]/")]
    [InlineData("https://[::]/")]
    [InlineData("https://[::ffff:127.0.0.1]/")]
    [InlineData("https://[::ffff:169.254.169.254]/")]
    [InlineData("https://[::ffff:10.0.0.1]/")]
    [InlineData("https://[64:ff9b::a00:1]/")]
    [InlineData("https://[2002:7f00:1::]/")]
    [InlineData("https://[fd00:ec2::254]/")]
    [InlineData("https://[fc00::1]/")]
    [InlineData("https://[fe80::1%25eth0]/")]
    [InlineData("https://[ff02::1]/")]
    [InlineData("https://localhost/")]
    [InlineData("https://LOCALHOST./")]
    [InlineData("https://api.localhost/")]
    [InlineData("https://metadata.google.internal/computeMetadata/v1/")]
    [InlineData("https://printer.local/")]
    [InlineData("https://\u24dbocalhost/")] // circled l: IDNA maps it to "localhost"
    public void Live_mode_rejects(string? url)
    {
        var message = OutboundUrlGuard.Validate(url, testMode: false);

        Assert.False(string.IsNullOrWhiteSpace(message));
        Assert.EndsWith(".", message);
    }

    [Fact]
    public void Live_mode_rejects_a_url_longer_than_2048_characters()
    {
        var prefix = "https://example.com/";
        var longest = prefix + new string('a', OutboundUrlGuard.MaxUrlLength - prefix.Length);

        Assert.Null(OutboundUrlGuard.Validate(longest, testMode: false));
        Assert.Contains("2048", OutboundUrlGuard.Validate(longest + "a", testMode: false));
    }

    [Theory]
    [InlineData("https://example.com/hook")]
    [InlineData("http://example.com/hook")]
    [InlineData("http://127.0.0.1:8080/x")]
    [InlineData("https://127.0.0.1/")]
    [InlineData("http://localhost/")]
    [InlineData("http://localhost:5173/webhooks")]
    [InlineData("http://[::1]:8080/x")]
    public void Test_mode_accepts(string url)
    {
        Assert.Null(OutboundUrlGuard.Validate(url, testMode: true));
    }

    [Theory]
    [InlineData("ftp://localhost/")]
    [InlineData("/relative")]
    [InlineData("http://user:pw@localhost/")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://10.0.0.1/")]
    [InlineData("http://192.168.0.10:8080/")]
    [InlineData("http://127.0.0.2/")]
    [InlineData("http://0.0.0.0:8080/")]
    [InlineData("http://[::ffff:127.0.0.1]/")]
    [InlineData("http://api.localhost/")]
    [InlineData("http://localhost./")]
    [InlineData("http://db.internal/")]
    [InlineData("https://127\u30020\u30020\u30021/")]   // ideographic full stops
    [InlineData("https://10\uFF0E0\uFF0E0\uFF0E1/")]    // fullwidth full stops
    [InlineData("https://169\uFF61254\uFF61169\uFF61254/")] // halfwidth ideographic full stops
    public void Test_mode_rejects(string url)
    {
        Assert.NotNull(OutboundUrlGuard.Validate(url, testMode: true));
    }

    [Theory]
    [InlineData("https://127\u30020\u30020\u30021/")]
    [InlineData("https://10\uFF0E0\uFF0E0\uFF0E1/")]
    [InlineData("https://192\u3002168\u30021\u30021/hooks")]
    public void Live_mode_rejects_addresses_written_with_other_dots(string url)
    {
        Assert.Contains("internal address", OutboundUrlGuard.Validate(url, testMode: false));
    }

    [Fact]
    public void Messages_say_what_to_change()
    {
        Assert.Contains("https://", OutboundUrlGuard.Validate("http://example.com/", testMode: false));
        Assert.Contains("Test mode", OutboundUrlGuard.Validate("https://localhost/", testMode: false));
        Assert.Contains("public", OutboundUrlGuard.Validate("https://10.0.0.1/", testMode: false));
        Assert.Contains("user name", OutboundUrlGuard.Validate("https://a:b@example.com/", testMode: false));
    }

    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("93.184.215.14", true)]
    [InlineData("100.63.255.255", true)]
    [InlineData("100.128.0.0", true)]
    [InlineData("172.15.255.255", true)]
    [InlineData("172.32.0.0", true)]
    [InlineData("2606:4700::6810:85e5", true)]
    [InlineData("::ffff:8.8.8.8", true)]
    [InlineData("64:ff9b::808:808", true)]
    [InlineData("10.0.0.1", false)]
    [InlineData("10.255.255.255", false)]
    [InlineData("172.16.0.0", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("192.168.0.1", false)]
    [InlineData("100.64.0.0", false)]
    [InlineData("100.127.255.255", false)]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.255.0.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("224.0.0.251", false)]
    [InlineData("239.255.255.250", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("::", false)]
    [InlineData("::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("::ffff:192.168.1.1", false)]
    [InlineData("::ffff:169.254.169.254", false)]
    [InlineData("::ffff:0.0.0.0", false)]
    [InlineData("::127.0.0.1", false)]
    [InlineData("64:ff9b::7f00:1", false)]
    [InlineData("2002:a9fe:a9fe::", false)]
    [InlineData("fc00::1", false)]
    [InlineData("fdff:ffff::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("febf::1", false)]
    [InlineData("ff02::1", false)]
    public void Is_public_address(string address, bool expected)
    {
        Assert.Equal(expected, OutboundUrlGuard.IsPublicAddress(IPAddress.Parse(address)));
    }

    [Fact]
    public void Handler_does_not_follow_redirects_and_recycles_connections()
    {
        using var handler = OutboundUrlGuard.CreateHandler(allowLoopback: false);

        Assert.False(handler.AllowAutoRedirect);
        Assert.False(handler.UseProxy);
        Assert.Equal(TimeSpan.FromMinutes(2), handler.PooledConnectionLifetime);
        Assert.Equal(TimeSpan.FromSeconds(10), handler.ConnectTimeout);
        Assert.NotNull(handler.ConnectCallback);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    public async Task Handler_refuses_loopback_when_not_allowed_before_connecting(string host)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            using var client = new HttpClient(OutboundUrlGuard.CreateHandler(allowLoopback: false)) { Timeout = TimeSpan.FromSeconds(30) };

            var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://{host}:{port}/"));

            Assert.Contains("not a public address", FullMessage(error));
            Assert.False(listener.Pending(), "the guard must refuse before opening a connection");
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Handler_connects_to_loopback_when_allowed_and_returns_redirects_unfollowed()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var ct = timeout.Token;
            var server = AnswerOnceAsync(listener, $"HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/latest/meta-data\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", ct);
            using var client = new HttpClient(OutboundUrlGuard.CreateHandler(allowLoopback: true));

            using var response = await client.PostAsync($"http://localhost:{port}/hook", new StringContent("{}"), ct);

            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
            Assert.StartsWith("POST /hook HTTP/1.1", await server);
        }
        finally
        {
            listener.Stop();
        }
    }

    private static async Task<string> AnswerOnceAsync(TcpListener listener, string response, CancellationToken ct)
    {
        using var socket = await listener.AcceptSocketAsync(ct);
        using var stream = new NetworkStream(socket);
        var request = new StringBuilder();
        var buffer = new byte[4096];
        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, ct);
            if (read == 0)
                break;
            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        await stream.WriteAsync(Encoding.ASCII.GetBytes(response), ct);
        return request.ToString();
    }

    private static string FullMessage(Exception error) =>
        error.InnerException is null ? error.Message : error.Message + " " + FullMessage(error.InnerException);
}
