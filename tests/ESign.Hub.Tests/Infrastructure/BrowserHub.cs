using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace ESign.Hub.Tests.Infrastructure;

/// <summary>A hub on a real Kestrel port on loopback (SQLite), for a real browser to talk to.</summary>
public sealed class BrowserHub : HubFactory
{
    public BrowserHub() : base(Database.Sqlite) => UseKestrel(0);

    protected override Dictionary<string, string?> Settings => new()
    {
        ["urls"] = "http://127.0.0.1:0",
        ["Hub:PublicBaseUrl"] = "", // links use the port Kestrel picked
    };

    public string BaseUrl => Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
}

/// <summary>Debian's Chromium (/usr/bin/chromium) driven by Playwright; no browser is downloaded.</summary>
public sealed class ChromiumBrowser : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
    }
}
