namespace ESign.Hub.Hosting;

/// <summary>Settings under the <c>Hub</c> section. Every value has a default that works with no configuration.</summary>
public sealed class HubOptions
{
    public const string Section = "Hub";

    /// <summary>Where the embedded default keeps its SQLite database, blobs and generated keys.</summary>
    public string DataDirectory { get; set; } = "./data";

    public DatabaseOptions Database { get; set; } = new();

    /// <summary>Largest accepted PDF upload, in bytes (default 25 MB).</summary>
    public long MaxUploadBytes { get; set; } = 25 * 1024 * 1024;

    /// <summary>When set (<c>esk_test_…</c> or <c>esk_live_…</c>), an account with this admin key is created at start if missing.</summary>
    public string? BootstrapApiKey { get; set; }

    /// <summary>Base URL for links we hand out (signing URLs). When empty, the URL of the incoming request is used.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Expiry applied when a signature request gives neither <c>expires_at</c> nor <c>expires_in_days</c>.</summary>
    public int DefaultExpiryDays { get; set; } = 30;

    public RateLimitOptions RateLimit { get; set; } = new();

    public OAuthOptions OAuth { get; set; } = new();

    public BlobOptions Blobs { get; set; } = new();

    public DocumentLimitOptions Documents { get; set; } = new();
}

/// <summary>
/// Limits an uploaded PDF must keep (<c>Hub:Documents</c>). They are checked before any PDF library reads the file, so a
/// hostile file is refused with 422 instead of exhausting memory, time or the stack.
/// </summary>
public sealed class DocumentLimitOptions
{
    /// <summary>Most pages a document may have (default 2,000). Sealing is done in the signer's request, so this bounds it.</summary>
    public int MaxPages { get; set; } = 2000;

    /// <summary>Most bytes one compressed stream may inflate to (default 64 MB): a scanned A4 page at 300 dpi is about 26 MB.</summary>
    public long MaxStreamDecompressedBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Most bytes all compressed streams of a document may inflate to together (default 256 MB).</summary>
    public long MaxDocumentDecompressedBytes { get; set; } = 256L * 1024 * 1024;
}

public sealed class DatabaseOptions
{
    /// <summary><c>sqlite</c> (embedded default) or <c>postgres</c> (scale-out, with <c>ConnectionStrings:Hub</c>).</summary>
    public string Provider { get; set; } = "sqlite";
}

public sealed class RateLimitOptions
{
    /// <summary>Sustained requests per second allowed per API key or OAuth client.</summary>
    public int PermitsPerSecond { get; set; } = 100;

    /// <summary>Requests a key may send at once before the sustained rate applies.</summary>
    public int Burst { get; set; } = 200;

    public AnonymousTriggerRateLimitOptions AnonymousTrigger { get; set; } = new();
}

/// <summary>Limits for the anonymous <c>/workflows/http/…</c> triggers (bursts of twice the rate), on top of the per-IP limit.</summary>
public sealed class AnonymousTriggerRateLimitOptions
{
    /// <summary>Sustained requests per second from one client IP address.</summary>
    public int PermitsPerSecondPerClient { get; set; } = 20;

    /// <summary>Sustained requests per second to one trigger path, from everyone together.</summary>
    public int PermitsPerSecondPerPath { get; set; } = 100;
}

public sealed class OAuthOptions
{
    /// <summary>Lifetime of issued access tokens, in seconds.</summary>
    public int AccessTokenLifetimeSeconds { get; set; } = 900;

    /// <summary>Issuer and audience written into and required of every access token.</summary>
    public string Issuer { get; set; } = "esign-hub";
}

public sealed class BlobOptions
{
    /// <summary><c>file</c> (under the data directory) or <c>database</c> (shared by every hub process).</summary>
    public string Provider { get; set; } = "file";
}
