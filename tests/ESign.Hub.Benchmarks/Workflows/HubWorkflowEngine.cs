using ESign.Hub.Accounts;
using ESign.Hub.Hosting;
using ESign.Hub.Storage;
using ESign.Hub.Workflows;
using ESign.Hub.Workflows.Runs;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ESign.Hub.Benchmarks.Workflows;

/// <summary>
/// The hub's own workflow engine as the workflows benchmark drives it: the whole hub (same composition as the real
/// host, <see cref="HubRegistration.AddHub"/>) in this process on a fresh SQLite database, so every run is durable —
/// each completes with a committed run row and its journal. The three flows are Elsa-3-shaped definitions published
/// into one account; runs start through <see cref="WorkflowRuntime.StartAsync"/> (what <c>POST /v1/workflows/{id}/runs</c>
/// calls) and events go through <see cref="WorkflowRuntime.PublishEventAsync"/> (what <c>POST /v1/workflow-events</c> calls).
/// </summary>
public sealed class HubWorkflowEngine : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _dataDirectory;
    private readonly string? _postgresServer, _postgresDatabase;
    private readonly WorkflowRuntime _runtime;
    private readonly string _accountId;
    private readonly StoredWorkflow _tenStep, _forkJoin, _waiting;

    private HubWorkflowEngine(WebApplication app, string dataDirectory, string? postgresServer, string? postgresDatabase, string accountId,
        StoredWorkflow tenStep, StoredWorkflow forkJoin, StoredWorkflow waiting)
    {
        (_app, _dataDirectory, _postgresServer, _postgresDatabase) = (app, dataDirectory, postgresServer, postgresDatabase);
        (_accountId, _tenStep, _forkJoin, _waiting) = (accountId, tenStep, forkJoin, waiting);
        _runtime = app.Services.GetRequiredService<WorkflowRuntime>();
        UnderTest = new EngineUnderTest("ESign.Hub workflows", postgresServer is null ? "SQLite (durable)" : "PostgreSQL (durable)",
            RunTenStepAsync, RunForkJoinAsync, StartWaitingAsync, ResumeAsync);
    }

    public EngineUnderTest UnderTest { get; }

    /// <param name="postgresServer">A PostgreSQL connection string to run on (a throwaway database is made there); null for SQLite.</param>
    public static async Task<HubWorkflowEngine> StartAsync(string? postgresServer, CancellationToken ct)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "esign-hub-workflow-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration["Hub:DataDirectory"] = dataDirectory;
        string? database = null;
        if (postgresServer is not null)
        {
            database = "hub_workflow_bench_" + Guid.NewGuid().ToString("N")[..8];
            await using var admin = new Npgsql.NpgsqlConnection(postgresServer);
            await admin.OpenAsync(ct);
            await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
            await create.ExecuteNonQueryAsync(ct);
            builder.Configuration["Hub:Database:Provider"] = "postgres";
            builder.Configuration["ConnectionStrings:Hub"] = new Npgsql.NpgsqlConnectionStringBuilder(postgresServer) { Database = database }.ConnectionString;
        }
        builder.Configuration["urls"] = "http://127.0.0.1:0";
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
        builder.AddHub();
        var app = builder.Build();
        app.UseHub();
        await app.InitializeHubAsync(ct);
        await app.StartAsync(ct);

        await using var scope = app.Services.CreateAsyncScope();
        var (account, _) = await scope.ServiceProvider.GetRequiredService<AccountProvisioning>().CreateAccountAsync("Benchmark", testMode: true, ct);
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        var tenStep = Published(account.Id, "ten-step", BenchmarkFlows.TenStep);
        var forkJoin = Published(account.Id, "fork-join", BenchmarkFlows.ForkJoin);
        var waiting = Published(account.Id, "wait-for-go", BenchmarkFlows.WaitForEvent);
        db.Workflows.AddRange(tenStep, forkJoin, waiting);
        await db.SaveChangesAsync(ct);
        return new HubWorkflowEngine(app, dataDirectory, postgresServer, database, account.Id, tenStep, forkJoin, waiting);
    }

    private static StoredWorkflow Published(string accountId, string definitionId, string json) => new()
    {
        Id = Ids.New("wfv"), AccountId = accountId, DefinitionId = definitionId, Version = 1, Status = WorkflowVersionStatus.Published,
        Name = definitionId, Json = json, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow, PublishedAt = DateTime.UtcNow, TestMode = true,
    };

    private async Task RunTenStepAsync(CancellationToken ct) => Expect(await _runtime.StartAsync(Start(_tenStep), ct), WorkflowRunStatus.Completed);

    private async Task RunForkJoinAsync(CancellationToken ct) => Expect(await _runtime.StartAsync(Start(_forkJoin), ct), WorkflowRunStatus.Completed);

    private async Task<string> StartWaitingAsync(CancellationToken ct)
    {
        var key = Guid.NewGuid().ToString("N");
        var run = await _runtime.StartAsync(Start(_waiting, new Dictionary<string, object?> { ["key"] = key }), ct);
        Expect(run, WorkflowRunStatus.Suspended);
        return key;
    }

    private async Task ResumeAsync(string key, CancellationToken ct)
    {
        // Publishing resumes the waiting run and executes it before it returns, like POST /v1/workflow-events.
        var runIds = await _runtime.PublishEventAsync(_accountId, true, "go:" + key, null, null, ct);
        var runId = runIds.Count == 1 ? runIds[0] : throw new InvalidOperationException($"Event go:{key} resumed {runIds.Count} runs, not 1.");
        await using var scope = _app.Services.CreateAsyncScope();
        var status = await scope.ServiceProvider.GetRequiredService<HubDbContext>().WorkflowRuns.IgnoreQueryFilters()
            .Where(r => r.Id == runId).Select(r => r.Status).FirstAsync(ct);
        if (status != WorkflowRunStatus.Completed) throw new InvalidOperationException($"Run {runId} is {status} after its event, not completed.");
    }

    private RunStart Start(StoredWorkflow version, Dictionary<string, object?>? input = null) =>
        new(version, input ?? [], "api", CallerScopes: new HashSet<string>([ESign.Hub.Auth.Scopes.Admin]));

    private static void Expect(WorkflowRun run, WorkflowRunStatus status)
    {
        if (run.Status != status)
            throw new InvalidOperationException($"Run {run.Id} ended {run.Status}, not {status}: {run.FaultMessage}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { }
        if (_postgresServer is not null)
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await using var admin = new Npgsql.NpgsqlConnection(_postgresServer);
            await admin.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresDatabase}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>The benchmark's flows as Elsa 3 definitions; every step is a JavaScript increment, as WorkflowCore's steps increment in C#.</summary>
internal static class BenchmarkFlows
{
    private static string Increment(string id) =>
        $$"""{ "id": "{{id}}", "type": "Elsa.SetVariable", "variable": { "name": "Count" }, "value": { "typeName": "Object", "expression": { "type": "JavaScript", "value": "variables.Count + 1" } } }""";

    private static string Node(string id, string type, string extra = "") =>
        $$"""{ "id": "{{id}}", "type": "{{type}}"{{extra}} }""";

    private static string Link(string from, string port, string to) =>
        $$"""{ "source": { "activity": "{{from}}", "port": "{{port}}" }, "target": { "activity": "{{to}}", "port": "In" } }""";

    private static string Definition(string id, IEnumerable<string> activities, IEnumerable<string> connections) => $$"""
        { "definitionId": "{{id}}", "name": "{{id}}", "version": 1,
          "variables": [ { "id": "count", "name": "Count", "typeName": "Int32", "isArray": false, "value": "0" } ],
          "root": { "type": "Elsa.Flowchart", "id": "flow", "activities": [{{string.Join(",", activities)}}], "connections": [{{string.Join(",", connections)}}] } }
        """;

    /// <summary>Start, 8 increments, End: 10 activities in a line.</summary>
    public static readonly string TenStep = Definition("ten-step",
        [Node("start", "Elsa.Start"), .. Enumerable.Range(1, 8).Select(i => Increment($"s{i}")), Node("end", "Elsa.End")],
        [Link("start", "Done", "s1"), .. Enumerable.Range(1, 7).Select(i => Link($"s{i}", "Done", $"s{i + 1}")), Link("s8", "Done", "end")]);

    /// <summary>Start, a fork into 3 branches of 2 increments, a WaitAll join, a final increment, End: 11 activities.</summary>
    public static readonly string ForkJoin = Definition("fork-join",
        [
            Node("start", "Elsa.Start"),
            Node("fork", "Elsa.FlowFork", """, "branches": ["A", "B", "C"]"""),
            .. new[] { "a", "b", "c" }.SelectMany(b => new[] { Increment(b + "1"), Increment(b + "2") }),
            Node("join", "Elsa.FlowJoin", """, "mode": { "typeName": "String", "expression": { "type": "Literal", "value": "WaitAll" } }"""),
            Increment("last"),
            Node("end", "Elsa.End"),
        ],
        [
            Link("start", "Done", "fork"),
            Link("fork", "A", "a1"), Link("fork", "B", "b1"), Link("fork", "C", "c1"),
            Link("a1", "Done", "a2"), Link("b1", "Done", "b2"), Link("c1", "Done", "c2"),
            Link("a2", "Done", "join"), Link("b2", "Done", "join"), Link("c2", "Done", "join"),
            Link("join", "Done", "last"), Link("last", "Done", "end"),
        ]);

    /// <summary>Start, an increment, wait for the event "go:{input key}", an increment, End.</summary>
    public static readonly string WaitForEvent = Definition("wait-for-go",
        [
            Node("start", "Elsa.Start"), Increment("before"),
            Node("go", "Elsa.Event", """, "eventName": { "typeName": "String", "expression": { "type": "JavaScript", "value": "'go:' + getInput('key')" } }"""),
            Increment("after"), Node("end", "Elsa.End"),
        ],
        [Link("start", "Done", "before"), Link("before", "Done", "go"), Link("go", "Done", "after"), Link("after", "Done", "end")]);
}
