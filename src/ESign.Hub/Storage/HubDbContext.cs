using System.Collections.Concurrent;
using System.Text.Json;
using ESign.Hub.Accounts;
using ESign.Hub.Audit;
using ESign.Hub.Auth;
using ESign.Hub.Documents;
using ESign.Hub.Email;
using ESign.Hub.Idempotency;
using ESign.Hub.SignatureRequests;
using ESign.Hub.Signing;
using ESign.Hub.Storage.Blobs;
using ESign.Hub.Templates;
using ESign.Hub.Webhooks;
using ESign.Hub.Workflows;
using ESign.Hub.Workflows.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ESign.Hub.Storage;

/// <summary>
/// The hub's one database. Each provider has a subclass with its own migrations (<see cref="SqliteHubDbContext"/>,
/// <see cref="PostgresHubDbContext"/>); the model is the same. Tenant-owned tables (<see cref="ITenantOwned"/>) are
/// filtered by <see cref="TenantId"/> and <see cref="TenantTestMode"/>; code that must cross accounts or modes
/// (authentication, signing links, background workers) says so with IgnoreQueryFilters.
/// </summary>
public abstract class HubDbContext(DbContextOptions options) : DbContext(options)
{
    private TenantScope? _tenant;
    private OutboxSignal? _outbox;

    public DbSet<Account> Accounts => Set<Account>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<OAuthClient> OAuthClients => Set<OAuthClient>();
    public DbSet<Document> Documents => Set<Document>();
    public DbSet<SignatureRequest> SignatureRequests => Set<SignatureRequest>();
    public DbSet<Signer> Signers => Set<Signer>();
    public DbSet<SignatureField> SignatureFields => Set<SignatureField>();
    public DbSet<RequestEvent> RequestEvents => Set<RequestEvent>();
    public DbSet<RequestMetadata> RequestMetadata => Set<RequestMetadata>();
    public DbSet<Template> Templates => Set<Template>();
    public DbSet<TemplateVersion> TemplateVersions => Set<TemplateVersion>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<StoredBlob> Blobs => Set<StoredBlob>();
    public DbSet<PlatformSecret> PlatformSecrets => Set<PlatformSecret>();
    public DbSet<SigningSession> SigningSessions => Set<SigningSession>();
    public DbSet<OutboundEmail> OutboundEmails => Set<OutboundEmail>();
    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();
    public DbSet<StoredWorkflow> Workflows => Set<StoredWorkflow>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WorkflowRun> WorkflowRuns => Set<WorkflowRun>();
    public DbSet<WorkflowBookmark> WorkflowBookmarks => Set<WorkflowBookmark>();
    public DbSet<WorkflowJournalEntry> WorkflowJournal => Set<WorkflowJournalEntry>();
    public DbSet<Workflows.Tasks.WorkflowTask> WorkflowTasks => Set<Workflows.Tasks.WorkflowTask>();
    public DbSet<WorkflowTrigger> WorkflowTriggers => Set<WorkflowTrigger>();
    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();

    /// <summary>The account every tenant-owned query is limited to; null matches nothing.</summary>
    public string? TenantId => _tenant?.AccountId;

    /// <summary>The mode every tenant-owned query is limited to; null matches nothing.</summary>
    public bool? TenantTestMode => _tenant?.TestMode;

    /// <summary>
    /// Runs a write that bypasses SaveChanges (ExecuteUpdate, ExecuteDelete) under the same rules as SaveChanges: on
    /// SQLite, in turn with this process's other writers.
    /// </summary>
    public virtual Task<T> WriteAsync<T>(Func<Task<T>> write) => write();

    /// <summary>Binds this (possibly pooled) context to the unit of work's tenant and the process's outbox signal.</summary>
    internal void Bind(TenantScope tenant, OutboxSignal outbox) => (_tenant, _outbox) = (tenant, outbox);

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var timelineWritten = ChangeTracker.Entries<RequestEvent>().Any(e => e.State == EntityState.Added);
        var written = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        if (timelineWritten) _outbox?.Raise();
        return written;
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder conventions)
    {
        // Every time is UTC; SQLite forgets the kind, so we put it back on read.
        conventions.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        conventions.Properties<DateTime?>().HaveConversion<NullableUtcDateTimeConverter>();
        conventions.Properties<SignatureRequestStatus>().HaveConversion<string>().HaveMaxLength(16);
        conventions.Properties<SignerStatus>().HaveConversion<string>().HaveMaxLength(16);
        conventions.Properties<SigningOrder>().HaveConversion<string>().HaveMaxLength(16);
        conventions.Properties<FieldType>().HaveConversion<string>().HaveMaxLength(16);
    }

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<Account>(e => e.HasKey(x => x.Id));

        model.Entity<ApiKey>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.TokenHash).IsUnique();
            e.HasIndex(x => x.AccountId);
            OwnedByTenant(e);
        });

        model.Entity<OAuthClient>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.AccountId);
            OwnedByTenant(e);
        });

        model.Entity<Document>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.AccountId, x.Id });
            e.HasIndex(x => new { x.AccountId, x.SourceKey }).IsUnique();
            e.Property(x => x.PageSizes).HasConversion(Json<List<PageSize>>(), ByJson<List<PageSize>>());
            OwnedByTenant(e);
        });

        model.Entity<SignatureRequest>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.AccountId, x.Id });
            e.HasIndex(x => new { x.AccountId, x.Status, x.Id });
            e.HasIndex(x => x.ScheduledAt);
            e.Property(x => x.Version).IsConcurrencyToken();
            e.Property(x => x.Reminders).HasConversion(Json<ReminderSettings?>());
            e.HasMany(x => x.Signers).WithOne().HasForeignKey(x => x.SignatureRequestId);
            e.HasMany(x => x.Fields).WithOne().HasForeignKey(x => x.SignatureRequestId);
            e.HasMany(x => x.Events).WithOne().HasForeignKey(x => x.SignatureRequestId);
            e.HasMany(x => x.Metadata).WithOne().HasForeignKey(x => x.SignatureRequestId);
            e.Navigation(x => x.Signers).AutoInclude(false);
            OwnedByTenant(e);
        });

        model.Entity<Signer>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.AccessTokenHash).IsUnique();
            // Adopted marks are immutable records: replaced, never changed in place, so reference equality tracks them.
            e.Property(x => x.Signature).HasConversion(Json<AdoptedMark?>());
            e.Property(x => x.Initials).HasConversion(Json<AdoptedMark?>());
            OwnedByTenant(e);
        });

        model.Entity<SignatureField>(e =>
        {
            e.HasKey(x => x.Id);
            OwnedByTenant(e);
        });

        model.Entity<RequestEvent>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.SignatureRequestId, x.OccurredAt });
            e.HasIndex(x => x.DispatchedAt);
            e.HasIndex(x => x.DispatchClaim);
            OwnedByTenant(e);
        });

        model.Entity<RequestMetadata>(e =>
        {
            e.HasKey(x => new { x.SignatureRequestId, x.Key });
            e.HasIndex(x => new { x.AccountId, x.Key, x.Value });
            OwnedByTenant(e);
        });

        model.Entity<Template>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.AccountId, x.Id });
            e.Property(x => x.Roles).HasConversion(Json<List<string>>(), ByJson<List<string>>());
            e.Property(x => x.Fields).HasConversion(Json<List<TemplateField>>(), ByJson<List<TemplateField>>());
            OwnedByTenant(e);
        });

        model.Entity<TemplateVersion>(e =>
        {
            e.HasKey(x => new { x.TemplateId, x.Version });
            e.Property(x => x.Roles).HasConversion(Json<List<string>>(), ByJson<List<string>>());
            OwnedByTenant(e);
        });

        model.Entity<IdempotencyRecord>(e =>
        {
            // A key is per mode, like everything else: a test key reusing a live key's Idempotency-Key must not see its response.
            e.HasKey(x => new { x.AccountId, x.TestMode, x.Key });
            e.HasIndex(x => x.ExpiresAt);
            OwnedByTenant(e);
        });

        model.Entity<AuditEvent>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.AccountId, x.Id });
            OwnedByTenant(e);
        });

        model.Entity<SigningSession>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.TokenHash).IsUnique();
            e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
            OwnedByTenant(e);
        });

        model.Entity<OutboundEmail>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.SentAt, x.NextAttemptAt });
            e.HasIndex(x => new { x.AccountId, x.SignatureRequestId });
            OwnedByTenant(e);
        });

        model.Entity<WebhookEndpoint>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.AccountId);
            e.Property(x => x.Events).HasConversion(Json<List<string>>(), ByJson<List<string>>());
            OwnedByTenant(e);
        });

        model.Entity<WebhookDelivery>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.HasIndex(x => new { x.Status, x.NextAttemptAt });
            e.HasIndex(x => new { x.EndpointId, x.OrderingKey, x.Status });
            e.HasIndex(x => x.ClaimToken);
            OwnedByTenant(e);
        });

        model.Entity<WebhookAttempt>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.EndpointId, x.Id });
            OwnedByTenant(e);
        });

        model.Entity<StoredWorkflow>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.AccountId, x.TestMode, x.DefinitionId, x.Version }).IsUnique();
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            OwnedByTenant(e);
        });

        model.Entity<WorkflowRun>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.LeaseToken).IsConcurrencyToken();
            e.HasIndex(x => new { x.AccountId, x.Id });
            e.HasIndex(x => new { x.AccountId, x.Status, x.Id });
            e.HasIndex(x => x.RunnableAt);
            e.HasIndex(x => new { x.AccountId, x.CorrelationId });
            e.Property(x => x.CorrelationId).HasMaxLength(200);
            OwnedByTenant(e);
        });

        model.Entity<WorkflowBookmark>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.Name, x.Key });
            e.HasIndex(x => x.RunId);
            OwnedByTenant(e);
        });

        model.Entity<WorkflowJournalEntry>(e =>
        {
            e.HasKey(x => new { x.RunId, x.Sequence });
            OwnedByTenant(e);
        });

        model.Entity<Workflows.Tasks.WorkflowTask>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16).IsConcurrencyToken();
            e.Property(x => x.Name).HasMaxLength(200);
            e.HasIndex(x => new { x.AccountId, x.Status, x.Id });
            e.HasIndex(x => new { x.AccountId, x.RunId });
            OwnedByTenant(e);
        });

        model.Entity<WorkflowTrigger>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.Kind, x.Key });
            e.HasIndex(x => new { x.AccountId, x.DefinitionId });
            e.HasIndex(x => x.NextRunAt);
            e.Property(x => x.NextRunAt).IsConcurrencyToken();
            OwnedByTenant(e);
        });

        model.Entity<StoredBlob>(e => e.HasKey(x => x.Key));
        model.Entity<PlatformSecret>(e => e.HasKey(x => x.Name));
    }

    /// <summary>The one tenant filter: the unit of work's account and mode. Every tenant-owned entity gets it.</summary>
    private void OwnedByTenant<T>(EntityTypeBuilder<T> entity) where T : class, ITenantOwned =>
        entity.HasQueryFilter(x => x.AccountId == TenantId && x.TestMode == TenantTestMode);

    private static readonly JsonSerializerOptions JsonColumn = new(JsonSerializerDefaults.Web);

    /// <summary>Stores a small value object as a JSON text column, compared by content for change tracking.</summary>
    private static ValueConverter<T, string> Json<T>() => new(
        v => JsonSerializer.Serialize(v, JsonColumn),
        v => JsonSerializer.Deserialize<T>(v, JsonColumn)!);

    private static ValueComparer<T> ByJson<T>() => new(
        (a, b) => JsonSerializer.Serialize(a, JsonColumn) == JsonSerializer.Serialize(b, JsonColumn),
        v => JsonSerializer.Serialize(v, JsonColumn).GetHashCode(),
        v => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, JsonColumn), JsonColumn)!);

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    private sealed class NullableUtcDateTimeConverter() : ValueConverter<DateTime?, DateTime?>(
        v => v.HasValue ? (v.Value.Kind == DateTimeKind.Utc ? v : v.Value.ToUniversalTime()) : v,
        v => v.HasValue ? DateTime.SpecifyKind(v.Value, DateTimeKind.Utc) : v);
}

/// <summary>
/// SQLite allows one writer at a time; a second writer is put to sleep by SQLite's busy handler in steps of
/// milliseconds. Queuing this process's writers on an async gate instead keeps commits back to back.
/// </summary>
public sealed class SqliteHubDbContext(DbContextOptions<SqliteHubDbContext> options) : HubDbContext(options)
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> WriteGates = new();

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default) =>
        ChangeTracker.HasChanges() ? WriteAsync(() => base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken)) : Task.FromResult(0);

    // True while this context holds the gate, so a SaveChanges inside a WriteAsync transaction does not wait for itself.
    private bool _holdsGate;

    public override async Task<T> WriteAsync<T>(Func<Task<T>> write)
    {
        if (_holdsGate) return await write();
        var gate = WriteGates.GetOrAdd(Database.GetConnectionString() ?? "", _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync();
        _holdsGate = true;
        try
        {
            return await write();
        }
        finally
        {
            _holdsGate = false;
            gate.Release();
        }
    }
}

public sealed class PostgresHubDbContext(DbContextOptions<PostgresHubDbContext> options) : HubDbContext(options);
