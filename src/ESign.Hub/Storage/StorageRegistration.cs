using System.Data.Common;
using System.Runtime.CompilerServices;
using ESign.Hub.Auth;
using ESign.Hub.Hosting;
using ESign.Hub.Storage.Blobs;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ESign.Hub.Storage;

public static class StorageRegistration
{
    /// <summary>
    /// The database (SQLite by default, PostgreSQL with <c>Hub:Database:Provider=postgres</c>) and the blob store.
    /// <see cref="HubDbContext"/> is what features ask for; it is bound to the request's tenant.
    /// </summary>
    public static WebApplicationBuilder AddHubStorage(this WebApplicationBuilder builder)
    {
        var hub = builder.Configuration.GetSection(HubOptions.Section).Get<HubOptions>() ?? new HubOptions();
        var dataDirectory = Path.GetFullPath(hub.DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        var services = builder.Services;
        services.AddScoped<TenantScope>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<PlatformKeys>();
        services.AddSingleton<SecretBox>();

        switch (hub.Database.Provider.ToLowerInvariant())
        {
            case "sqlite":
                var sqlite = builder.Configuration.GetConnectionString("Hub")
                    ?? $"Data Source={Path.Combine(dataDirectory, "hub.db")}";
                services.AddDbContextPool<SqliteHubDbContext>(o => o
                    .UseSqlite(sqlite)
                    .AddInterceptors(new SqlitePragmas()));
                services.AddScoped<HubDbContext>(sp => Bind(sp.GetRequiredService<SqliteHubDbContext>(), sp));
                break;
            case "postgres":
            case "postgresql":
                var postgres = builder.Configuration.GetConnectionString("Hub")
                    ?? throw new InvalidOperationException(
                        "Hub:Database:Provider is 'postgres' but ConnectionStrings:Hub is not set (e.g. 'Host=db;Username=hub;Password=…;Database=hub').");
                services.AddDbContextPool<PostgresHubDbContext>(o => o.UseNpgsql(postgres));
                services.AddScoped<HubDbContext>(sp => Bind(sp.GetRequiredService<PostgresHubDbContext>(), sp));
                break;
            default:
                throw new InvalidOperationException(
                    $"Hub:Database:Provider '{hub.Database.Provider}' is not supported; use 'sqlite' or 'postgres'.");
        }

        switch (hub.Blobs.Provider.ToLowerInvariant())
        {
            case "file":
                services.AddSingleton<IBlobStore>(new FileBlobStore(Path.Combine(dataDirectory, "blobs")));
                break;
            case "database":
                services.AddSingleton<IBlobStore, DatabaseBlobStore>();
                break;
            default:
                throw new InvalidOperationException($"Hub:Blobs:Provider '{hub.Blobs.Provider}' is not supported; use 'file' or 'database'.");
        }
        return builder;
    }

    private static HubDbContext Bind(HubDbContext db, IServiceProvider sp)
    {
        db.Bind(sp.GetRequiredService<TenantScope>(), sp.GetRequiredService<OutboxSignal>());
        return db;
    }

    /// <summary>
    /// WAL lets readers run while one writer commits; synchronous=NORMAL is durable across process crashes in WAL mode
    /// and avoids an fsync per commit; the busy timeout makes a writer from another process wait instead of failing.
    /// Pooled connections reuse their native handle, so the pragmas run once per handle rather than per query.
    /// </summary>
    private sealed class SqlitePragmas : DbConnectionInterceptor
    {
        private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;";
        private static readonly ConditionalWeakTable<object, object> Configured = new();

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Run(connection);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken ct = default)
        {
            Run(connection);
            return Task.CompletedTask;
        }

        private static void Run(DbConnection connection)
        {
            if (connection is SqliteConnection { Handle: { } handle } && !Configured.TryAdd(handle, handle)) return;
            using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
        }
    }
}
