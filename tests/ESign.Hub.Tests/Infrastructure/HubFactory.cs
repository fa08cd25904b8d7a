using System.Net.Http.Headers;
using ESign.Hub.Accounts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Time.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ESign.Hub.Tests.Infrastructure;

public enum Database { Sqlite, Postgres }

/// <summary>
/// A real hub (the whole HTTP pipeline, real migrations) on a fresh database: a SQLite file in a temporary data
/// directory, or a new database on the PostgreSQL server the test command starts (HUB_TEST_POSTGRES, default
/// Host=127.0.0.1;Port=5433;Username=postgres). Tests isolate themselves by account, as tenants do.
/// </summary>
public class HubFactory(Database database) : WebApplicationFactory<Program>, IAsyncLifetime
{
    /// <summary>A second hub on the same database and data directory, as after a restart; the first one cleans up.</summary>
    protected HubFactory(HubFactory sameStoreAs) : this(sameStoreAs.Database)
    {
        DataDirectory = sameStoreAs.DataDirectory;
        _postgresDatabase = sameStoreAs._postgresDatabase;
        _ownsStore = false;
        Clock = sameStoreAs.Clock;
    }

    private readonly bool _ownsStore = true;

    /// <summary>When set, the hub's clock: tests move time to make reminders and expiries due.</summary>
    public FakeTimeProvider? Clock { get; init; }

    public static string PostgresServer =>
        Environment.GetEnvironmentVariable("HUB_TEST_POSTGRES") ?? "Host=127.0.0.1;Port=5433;Username=postgres;Password=postgres";

    public Database Database { get; } = database;
    public string DataDirectory { get; private init; } = Path.Combine(Path.GetTempPath(), "esign-hub-tests", Guid.NewGuid().ToString("N"));
    private readonly string _postgresDatabase = "hub_test_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The connection string of the hub's database (the SQLite file, or the PostgreSQL test database).</summary>
    public string ConnectionString => Database == Database.Postgres
        ? new NpgsqlConnectionStringBuilder(PostgresServer) { Database = _postgresDatabase }.ConnectionString
        : $"Data Source={Path.Combine(Path.GetFullPath(DataDirectory), "hub.db")}";

    /// <summary>Extra settings a test class needs (rate limits, upload size, bootstrap key).</summary>
    protected virtual Dictionary<string, string?> Settings => [];

    public async Task InitializeAsync()
    {
        if (Database == Database.Postgres && _ownsStore)
        {
            try
            {
                await using var admin = new NpgsqlConnection(PostgresServer);
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_postgresDatabase}\"", admin);
                await create.ExecuteNonQueryAsync();
            }
            catch (NpgsqlException e)
            {
                throw new InvalidOperationException(
                    $"The PostgreSQL tests need a server at '{PostgresServer}'. Run the tests with the README's test command, which starts one. ({e.Message})", e);
            }
        }
        StartServer(); // start the hub (runs migrations) before the first test
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Hub:DataDirectory", DataDirectory);
        builder.UseSetting("Hub:MaxUploadBytes", "200000");
        builder.UseSetting("Hub:PublicBaseUrl", "http://localhost");
        builder.UseSetting("Hub:RateLimit:PermitsPerSecond", "100000");
        builder.UseSetting("Hub:RateLimit:Burst", "100000");
        builder.UseSetting("Hub:RateLimit:AnonymousTrigger:PermitsPerSecondPerClient", "100000");
        builder.UseSetting("Hub:RateLimit:AnonymousTrigger:PermitsPerSecondPerPath", "100000");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // Workflow HTTP tests call receivers on loopback (off by default; WorkflowLoopbackTests checks that).
        builder.UseSetting("Hub:Workflows:AllowLoopbackHttp", "true");
        if (Database == Database.Postgres)
        {
            builder.UseSetting("Hub:Database:Provider", "postgres");
            builder.UseSetting("ConnectionStrings:Hub", new NpgsqlConnectionStringBuilder(PostgresServer) { Database = _postgresDatabase }.ConnectionString);
        }
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        if (Clock is not null)
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    /// <summary>A new account and a client authenticated with its admin key (every scope).</summary>
    public async Task<HubClient> NewAccountAsync(bool testMode = true)
    {
        await using var scope = Services.CreateAsyncScope();
        var (account, key) = await scope.ServiceProvider.GetRequiredService<AccountProvisioning>()
            .CreateAccountAsync("Test account " + Guid.NewGuid().ToString("N")[..6], testMode, CancellationToken.None);
        return new HubClient(this, account.Id, key);
    }

    /// <summary>The same account's admin client in the other mode (a key manages only keys of its own mode).</summary>
    public async Task<HubClient> OtherModeAdminAsync(HubClient account)
    {
        await using var scope = Services.CreateAsyncScope();
        var testMode = !account.ApiKey.StartsWith(ESign.Hub.Auth.ApiKey.TestPrefix, StringComparison.Ordinal);
        var key = await scope.ServiceProvider.GetRequiredService<AccountProvisioning>().AddAdminKeyAsync(account.AccountId, testMode, CancellationToken.None);
        return new HubClient(this, account.AccountId, key);
    }

    /// <summary>Every email the hub queued for these addresses (its outbox), oldest first.</summary>
    public async Task<List<ESign.Hub.Email.OutboundEmail>> OutboxAsync(params string[] to)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ESign.Hub.Storage.HubDbContext>();
        return await db.OutboundEmails.IgnoreQueryFilters().AsNoTracking()
            .Where(e => to.Contains(e.ToAddress)).OrderBy(e => e.CreatedAt).ThenBy(e => e.Id).ToListAsync();
    }

    /// <summary>A client that sends no credential.</summary>
    public HttpClient Anonymous() => CreateClient();

    public HttpClient WithToken(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (!_ownsStore) return;
        if (Database == Database.Postgres)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(PostgresServer);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresDatabase}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}

public sealed class SqliteHub() : HubFactory(Database.Sqlite);

public sealed class PostgresHub() : HubFactory(Database.Postgres);

/// <summary>An account's admin client: the HTTP client plus the account id and key behind it.</summary>
public sealed class HubClient(HubFactory hub, string accountId, string apiKey)
{
    public string AccountId { get; } = accountId;
    public string ApiKey { get; } = apiKey;
    public HttpClient Http { get; } = hub.WithToken(apiKey);
}
