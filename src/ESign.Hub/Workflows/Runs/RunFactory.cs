using System.Collections.Concurrent;
using ESign.Hub.Auth;
using ESign.Hub.Hosting;
using ESign.Hub.Storage;
using ESign.Hub.Workflows.Definitions;
using ESign.Hub.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Workflows.Runs;

/// <summary>
/// What starts a run: the version, its input, and the trigger that fired (null for a run started through the API). The
/// run is in the version's mode. <paramref name="CallerScopes"/> are the scopes of the credential that starts it; a run a
/// trigger starts has none and acts with the scopes its version's publisher had. <paramref name="CallDepth"/> counts the
/// parents of a child run.
/// </summary>
public sealed record RunStart(
    StoredWorkflow Version, Dictionary<string, object?> Input, string Trigger,
    string? TriggerActivityId = null, Dictionary<string, object?>? TriggerData = null, string? CorrelationId = null,
    IReadOnlySet<string>? CallerScopes = null, IReadOnlyList<string>? EventLineage = null, int CallDepth = 0);

/// <summary>The compiled flowcharts of published versions, and new run rows for them.</summary>
public sealed class RunFactory
{
    private readonly ConcurrentDictionary<string, Flowchart> _flowcharts = new();
    private readonly ConcurrentDictionary<string, StoredWorkflow> _versions = new();

    /// <summary>The compiled flowchart of a published version (immutable, so cached by version row id).</summary>
    public Flowchart FlowchartOf(StoredWorkflow version) =>
        _flowcharts.GetOrAdd(version.Id, _ => new Flowchart(WorkflowDefinitionReader.Read(version.Json).Definition
            ?? throw new InvalidOperationException($"Stored workflow version {version.Id} does not read back.")));

    /// <summary>The version a run runs (a published version never changes, so it is read once per process).</summary>
    public async Task<Flowchart> FlowchartOfAsync(HubDbContext db, string versionId, CancellationToken ct)
    {
        if (!_versions.TryGetValue(versionId, out var version))
            _versions[versionId] = version = await db.Workflows.IgnoreQueryFilters().AsNoTracking().FirstAsync(w => w.Id == versionId, ct);
        return FlowchartOf(version);
    }

    /// <summary>A run row for a trigger to insert in its own transaction; a worker executes it.</summary>
    public WorkflowRun NewRun(RunStart start, DateTime now)
    {
        var flowchart = FlowchartOf(start.Version);
        var state = new WorkflowState();
        foreach (var (k, v) in start.Input) state.Input[k] = v;
        state.EventLineage.AddRange(start.EventLineage ?? []);
        state.CallDepth = start.CallDepth;
        FlowchartRunner.Begin(flowchart, state, start.TriggerActivityId, start.TriggerData);
        return new WorkflowRun
        {
            Id = Ids.New("wfr"),
            AccountId = start.Version.AccountId,
            DefinitionId = start.Version.DefinitionId,
            DefinitionVersion = start.Version.Version,
            WorkflowVersionId = start.Version.Id,
            TestMode = start.Version.TestMode,
            Scopes = start.CallerScopes is { } callerScopes ? Scopes.Join(callerScopes) : start.Version.PublisherScopes ?? "",
            Trigger = start.Trigger,
            CorrelationId = start.CorrelationId,
            Status = WorkflowRunStatus.Running,
            State = state.ToJson(),
            CreatedAt = now,
            UpdatedAt = now,
            RunnableAt = now,
        };
    }
}
