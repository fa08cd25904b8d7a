using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Hosting;

/// <summary>
/// The base URL people reach the hub at, for links in emails and API responses: <c>Hub:PublicBaseUrl</c>, else the
/// first address the server listens on (good enough for the embedded default on one machine).
/// </summary>
public sealed class PublicUrls(IOptions<HubOptions> options, IServer server)
{
    public string BaseUrl
    {
        get
        {
            var configured = options.Value.PublicBaseUrl;
            if (!string.IsNullOrWhiteSpace(configured)) return configured.TrimEnd('/');
            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            return (address ?? "http://localhost").Replace("0.0.0.0", "localhost", StringComparison.Ordinal)
                .Replace("[::]", "localhost", StringComparison.Ordinal).TrimEnd('/');
        }
    }

    public string SigningUrl(string token) => $"{BaseUrl}/sign/{token}";
}
