using System.Security.Cryptography;
using System.Text;
using ESign.Hub.Hosting;
using ESign.Hub.Storage;
using ESign.Hub.Workflows.Definitions;
using ESign.Hub.Workflows.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Workflows;

/// <summary>
/// Loads the workflow definitions shipped as files (<c>Hub:Workflows:Directory</c>, by default <c>workflows/</c> next to
/// the hub) into every account at start, published, once per mode (test mode is a separate world with its own copy). A
/// file that changed is published as a new version, unless the account changed that workflow itself in that mode (its
/// newest version did not come from a file): then the account's version stays. The operator installed the files, so
/// runs their triggers start act with every scope (<see cref="Auth.Scopes.Admin"/>).
/// </summary>
public sealed class WorkflowFiles(IServiceScopeFactory scopes, ActivityCatalog catalog, IOptions<WorkflowOptions> options, TimeProvider clock,
    ILogger<WorkflowFiles> logger)
{
    public string DirectoryPath => Path.GetFullPath(options.Value.Directory, AppContext.BaseDirectory);

    /// <param name="accountId">Only this account (a new one); null for every account.</param>
    public async Task LoadAsync(CancellationToken ct, string? accountId = null)
    {
        if (!Directory.Exists(DirectoryPath)) return;
        var files = Directory.GetFiles(DirectoryPath, "*.json").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) return;
        // Only this scope's tenant changes; the caller's unit of work is untouched.

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        var accounts = accountId is not null ? [accountId] : await db.Accounts.AsNoTracking().Select(a => a.Id).ToListAsync(ct);
        foreach (var file in files)
        {
            var json = await File.ReadAllTextAsync(file, ct);
            var read = WorkflowDefinitionReader.Read(json);
            var definition = read.Definition;
            var problems = definition is null ? read.Problems : WorkflowValidator.Validate(definition, catalog);
            if (definition is null || problems.Count > 0)
            {
                logger.LogWarning("Workflow file {File} was not loaded: {Problems}", file, string.Join("; ", problems));
                continue;
            }
            var definitionId = definition.DefinitionId ?? Path.GetFileNameWithoutExtension(file);
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
            foreach (var account in accounts)
            foreach (var testMode in (bool[])[false, true])
                await LoadIntoAsync(scope.ServiceProvider, account, testMode, definitionId, definition, hash, file, ct);
        }
    }

    private async Task LoadIntoAsync(IServiceProvider services, string accountId, bool testMode, string definitionId, WorkflowDefinition definition, string hash,
        string file, CancellationToken ct)
    {
        var db = services.GetRequiredService<HubDbContext>();
        db.ChangeTracker.Clear();
        services.GetRequiredService<Auth.TenantScope>().ActFor(accountId, testMode);
        var latest = await db.Workflows.Where(w => w.DefinitionId == definitionId).OrderByDescending(w => w.Version).FirstOrDefaultAsync(ct);
        if (latest is not null && (latest.FileHash == hash || latest.FileHash is null))
        {
            if (latest.FileHash is null)
                logger.LogInformation("Workflow file {File} skipped for account {Account}: the account has its own version of '{Definition}'",
                    file, accountId, definitionId);
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var json = WorkflowDefinitionWriter.ToJsonObject(definition);
        var versionNumber = (latest?.Version ?? 0) + 1;
        json["definitionId"] = definitionId;
        json["version"] = versionNumber;
        var version = new StoredWorkflow
        {
            Id = Ids.New("wfv"), AccountId = accountId, DefinitionId = definitionId, Version = versionNumber,
            Status = WorkflowVersionStatus.Published, Name = definition.Name, Json = json.ToJsonString(),
            CreatedAt = now, UpdatedAt = now, PublishedAt = now, TestMode = testMode, FileHash = hash,
            PublisherScopes = Auth.Scopes.Admin,
        };
        var (triggers, problems) = WorkflowTriggers.Index(version, definition, catalog, now);
        if (problems.Any)
        {
            logger.LogWarning("Workflow file {File} was not published: {Problems}", file, problems.Summary());
            return;
        }
        if (await WorkflowTriggers.ReplaceAsync(db, version, triggers, ct) is { } conflict)
        {
            logger.LogWarning("Workflow file {File} was not published for account {Account}: {Conflict}", file, accountId, conflict);
            return;
        }
        db.Workflows.Add(version);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another hub process starting at the same moment published this version first.
            logger.LogInformation("Workflow file {File} was published for account {Account} by another hub process", file, accountId);
            return;
        }
        // Its route templates answer at once in this process.
        services.GetRequiredService<HttpRouteTemplates>().Invalidate();
        logger.LogInformation("Published workflow '{Definition}' version {Version} from {File} for account {Account} in {Mode} mode",
            definitionId, versionNumber, file, accountId, testMode ? "test" : "live");
    }
}
