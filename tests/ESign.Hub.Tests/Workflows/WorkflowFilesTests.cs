using System.Net;
using ESign.Hub.Tests.Infrastructure;
using ESign.Hub.Workflows;
using ESign.Hub.Workflows.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static ESign.Hub.Tests.Workflows.ElsaSamples;

namespace ESign.Hub.Tests.Workflows;

/// <summary>Workflow definitions shipped as files: loaded published into every account, updated when the file changes, never over an account's own edit.</summary>
public abstract class WorkflowFilesTests(HubFactory hub) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("esign-hub-workflow-files-").FullName;

    [Fact]
    public async Task A_new_account_has_the_shipped_workflows_published()
    {
        var account = await hub.NewAccountAsync();
        var shipped = await (await account.Http.GetAsync("/v1/workflows/send-for-signature")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("published", (string)shipped["status"]!);
        Assert.Empty(shipped["problems"]!.AsArray());
        Assert.Contains("Hub.ESign.WaitForSignature", shipped["definition"]!.ToJsonString());
    }

    [Fact]
    public async Task A_changed_file_publishes_a_new_version_unless_the_account_edited_the_workflow()
    {
        var account = await hub.NewAccountAsync();
        var files = new WorkflowFiles(hub.Services.GetRequiredService<IServiceScopeFactory>(), hub.Services.GetRequiredService<ESign.Hub.Workflows.Definitions.ActivityCatalog>(),
            Options.Create(new WorkflowOptions { Directory = _directory }), TimeProvider.System, NullLogger<WorkflowFiles>.Instance);
        var id = "file-" + Guid.NewGuid().ToString("N")[..8];
        string Version(string text) => Flowchart($"{Activity("start", "Elsa.Start")}, {Activity("say", "Elsa.WriteLine", Literal("text", text))}",
            Link("start", "Done", "say")).Replace("\"definitionId\": \"d1\"", $"\"definitionId\": \"{id}\"");

        await File.WriteAllTextAsync(Path.Combine(_directory, $"{id}.json"), Version("first"));
        await File.WriteAllTextAsync(Path.Combine(_directory, "broken.json"), "{ not a workflow");
        await files.LoadAsync(CancellationToken.None, account.AccountId);
        await files.LoadAsync(CancellationToken.None, account.AccountId); // unchanged: no new version
        var first = await (await account.Http.GetAsync($"/v1/workflows/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, (int)first["version"]!);
        Assert.Equal("published", (string)first["status"]!);
        var run = await WorkflowRunTests.Run(account, id);
        Assert.Equal("completed", (string)run["status"]!);

        await File.WriteAllTextAsync(Path.Combine(_directory, $"{id}.json"), Version("second"));
        await files.LoadAsync(CancellationToken.None, account.AccountId);
        var second = await (await account.Http.GetAsync($"/v1/workflows/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, (int)second["version"]!);
        Assert.Contains("second", second["definition"]!.ToJsonString());

        // The account makes the workflow its own; the file no longer replaces it.
        await (await account.Http.PutAsync($"/v1/workflows/{id}", WorkflowRunTests.Body(Version("mine")))).ExpectAsync(HttpStatusCode.OK);
        await File.WriteAllTextAsync(Path.Combine(_directory, $"{id}.json"), Version("third"));
        await files.LoadAsync(CancellationToken.None, account.AccountId);
        var mine = await (await account.Http.GetAsync($"/v1/workflows/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(3, (int)mine["version"]!);
        Assert.Contains("mine", mine["definition"]!.ToJsonString());
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteWorkflowFilesTests(SqliteHub hub) : WorkflowFilesTests(hub), IClassFixture<SqliteHub>;

public sealed class PostgresWorkflowFilesTests(PostgresHub hub) : WorkflowFilesTests(hub), IClassFixture<PostgresHub>;
