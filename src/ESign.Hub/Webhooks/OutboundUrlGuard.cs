using System.Net;
using System.Net.Sockets;

namespace ESign.Hub.Webhooks;

/// <summary>
/// SSRF protection for every URL the hub calls on a customer's behalf (webhooks, connector callbacks). Two layers:
/// <see cref="Validate"/> rejects a URL when it is saved, and <see cref="CreateHandler"/> checks the addresses a host
/// name resolves to at connect time and connects to the checked address, so a name that later resolves to an internal
/// address (DNS rebinding) is refused as well.
/// </summary>
public static class OutboundUrlGuard
{
    /// <summary>The longest URL accepted.</summary>
    public const int MaxUrlLength = 2048;

    // Addresses that are not globally reachable (IANA special-purpose registries). IPv4-mapped IPv6 addresses are
    // mapped before the lookup; NAT64 and 6to4 addresses are judged by the IPv4 address they carry.
    private static readonly IPNetwork[] NonPublicNetworks =
    [
        IPNetwork.Parse("0.0.0.0/8"),         // "this network", includes the unspecified 0.0.0.0
        IPNetwork.Parse("10.0.0.0/8"),        // private
        IPNetwork.Parse("100.64.0.0/10"),     // carrier-grade NAT
        IPNetwork.Parse("127.0.0.0/8"),       // loopback
        IPNetwork.Parse("169.254.0.0/16"),    // link-local, includes cloud metadata 169.254.169.254
        IPNetwork.Parse("172.16.0.0/12"),     // private
        IPNetwork.Parse("192.0.0.0/24"),      // IETF protocol assignments
        IPNetwork.Parse("192.168.0.0/16"),    // private
        IPNetwork.Parse("198.18.0.0/15"),     // benchmarking, often used inside networks
        IPNetwork.Parse("224.0.0.0/4"),       // multicast
        IPNetwork.Parse("240.0.0.0/4"),       // reserved, includes the broadcast 255.255.255.255
        IPNetwork.Parse("::/96"),             // unspecified, loopback and deprecated IPv4-compatible
        IPNetwork.Parse("64:ff9b:1::/48"),    // local-use NAT64
        IPNetwork.Parse("100::/64"),          // discard-only
        IPNetwork.Parse("2001::/32"),         // Teredo: tunnels to an obfuscated IPv4 address
        IPNetwork.Parse("fc00::/7"),          // unique local, includes AWS metadata fd00:ec2::254
        IPNetwork.Parse("fe80::/10"),         // link-local
        IPNetwork.Parse("fec0::/10"),         // deprecated site-local
        IPNetwork.Parse("ff00::/8"),          // multicast
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    private static readonly string[] LoopbackHostsForTests = ["localhost", "127.0.0.1", "[::1]"];

    /// <summary>
    /// Checks a URL a customer wants the hub to call. Returns null when it is acceptable, otherwise one sentence saying
    /// what to change (suitable as the detail of a 422 response).
    /// </summary>
    /// <remarks>
    /// Live mode accepts absolute <c>https</c> URLs without user name or password whose host is a public IP address or
    /// a name outside <c>localhost</c>, <c>*.localhost</c>, <c>*.local</c> and <c>*.internal</c>. Test mode also accepts
    /// <c>http</c> and exactly the hosts <c>localhost</c>, <c>127.0.0.1</c> and <c>[::1]</c> on any port, so a developer
    /// can receive on their own machine; nothing else private. What a name resolves to is checked at connect time by
    /// <see cref="CreateHandler"/>.
    /// </remarks>
    /// <param name="url">The URL as the customer entered it.</param>
    /// <param name="testMode">Whether the URL belongs to a test-mode account or key.</param>
    public static string? Validate(string? url, bool testMode)
    {
        if (string.IsNullOrWhiteSpace(url))
            return "Enter a URL, for example https://example.com/webhooks.";
        if (url.Length > MaxUrlLength)
            return $"The URL is {url.Length} characters long; use one of at most {MaxUrlLength}.";
        if (url.Trim().Length != url.Length)
            return "Remove the spaces before or after the URL.";
        // On Unix a path such as "/hooks" parses as file:///hooks; it is a relative URL to a person.
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.IsFile && !url.StartsWith("file:", StringComparison.OrdinalIgnoreCase)))
            return "Enter a complete URL including https:// and the host, for example https://example.com/webhooks.";
        if (uri.UserInfo.Length > 0)
            return "Remove the user name and password from the URL; the hub signs every request instead.";

        var isHttps = uri.Scheme == Uri.UriSchemeHttps;
        if (!isHttps && !(testMode && uri.Scheme == Uri.UriSchemeHttp))
            return testMode
                ? $"The URL must start with https:// or http://, not {uri.Scheme}://."
                : $"The URL must start with https:// (http:// is accepted only in test mode), not {uri.Scheme}://.";

        if (testMode && LoopbackHostsForTests.Contains(uri.Host, StringComparer.OrdinalIgnoreCase))
            return null;
        var hint = testMode ? "" : " Test mode also accepts localhost, 127.0.0.1 and [::1].";

        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) || !IsPublicAddress(address))
                return $"The host {uri.Host} is a private, loopback or otherwise internal address; use a public host name.{hint}";
            return null;
        }
        if (uri.HostNameType != UriHostNameType.Dns)
            return "The URL's host is not a valid host name.";

        // IdnHost applies IDNA mapping, so look-alike characters end up as the name they imitate.
        var host = uri.IdnHost.TrimEnd('.').ToLowerInvariant();
        if (host.Length == 0)
            return "The URL's host is not a valid host name.";
        // "127。0。0。1" (ideographic or fullwidth dots) is a name to Uri but maps to an address: judge it as the address,
        // as the connection would (it was refused only at connect time before).
        if (IPAddress.TryParse(host, out var mapped))
        {
            if (testMode && IPAddress.IsLoopback(mapped))
                return $"Write the host {uri.Host} as {mapped} (plain ASCII dots).";
            if (!IsPublicAddress(mapped))
                return $"The host {uri.Host} is the address {mapped}, a private, loopback or otherwise internal address; use a public host name.{hint}";
        }
        if (IsInternalName(host))
            return $"The host {uri.Host} is a local or internal name; use a public host name.{hint}";
        return null;
    }

    /// <summary>
    /// Whether the hub may connect to an address on a customer's behalf: false for loopback, private (10/8,
    /// 172.16/12, 192.168/16, fc00::/7), carrier-grade NAT (100.64/10), link-local (169.254/16 including cloud metadata,
    /// fe80::/10), unspecified, multicast, broadcast and other reserved ranges, also when written as an IPv4-mapped
    /// IPv6 address or embedded in a NAT64 or 6to4 address.
    /// </summary>
    public static bool IsPublicAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
            return IsPublicAddress(address.MapToIPv4());
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            if (Nat64.Contains(address))
                return IsPublicAddress(new IPAddress(bytes.AsSpan(12, 4)));
            if (SixToFour.Contains(address))
                return IsPublicAddress(new IPAddress(bytes.AsSpan(2, 4)));
        }
        else if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }
        foreach (var network in NonPublicNetworks)
        {
            if (network.Contains(address))
                return false;
        }
        return true;
    }

    /// <summary>
    /// An HTTP handler for calls to customer URLs. At connect time it resolves the host and refuses, with an
    /// <see cref="HttpRequestException"/>, when any resolved address is not public (<see cref="IsPublicAddress"/>),
    /// unless it is loopback and <paramref name="allowLoopback"/> is true; then it connects to the address it checked.
    /// Redirects are not followed (a redirect could lead anywhere), no proxy is used (the check must see the real
    /// destination), no cookies are kept, connections live at most 2 minutes (so DNS changes are seen) and
    /// connecting times out after 10 seconds.
    /// </summary>
    /// <param name="allowLoopback">True only for test-mode calls, whose URLs <see cref="Validate"/> may allow on loopback.</param>
    public static SocketsHttpHandler CreateHandler(bool allowLoopback) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        ConnectCallback = (context, ct) => ConnectToCheckedAddressAsync(context.DnsEndPoint, allowLoopback, ct),
    };

    private static async ValueTask<Stream> ConnectToCheckedAddressAsync(DnsEndPoint endPoint, bool allowLoopback, CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(endPoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endPoint.Host, ct);
        if (addresses.Length == 0)
            throw new HttpRequestException(HttpRequestError.NameResolutionError, $"The host {endPoint.Host} has no address.");
        // Every address must pass: otherwise a name could mix a public and an internal address.
        foreach (var address in addresses)
        {
            if (!IsPublicAddress(address) && !(allowLoopback && IPAddress.IsLoopback(address)))
                throw new HttpRequestException(HttpRequestError.ConnectionError,
                    $"Refused to connect to {endPoint.Host}: it resolves to {address}, which is not a public address.");
        }

        SocketException? lastError = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endPoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                lastError = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw lastError!;
    }

    private static bool IsInternalName(string host) =>
        host is "localhost" or "local" or "internal"
        || host.EndsWith(".localhost", StringComparison.Ordinal)
        || host.EndsWith(".local", StringComparison.Ordinal)
        || host.EndsWith(".internal", StringComparison.Ordinal);
}
