using System.Text.Json;
using ESign.Hub.Hosting;
using ESign.Hub.Workflows.Runtime;

namespace ESign.Hub.Workflows.Runs;

public sealed record WorkflowIncidentResponse(string ActivityId, string ActivityType, string Message, int Attempts);

public sealed record WaitingResponse(string ActivityId, string Kind, string? Key, DateTime? DueAt);

public sealed record JournalEntryResponse(
    int Sequence, string ActivityId, string ActivityType, string? ActivityName, string Outcome, JsonElement Inputs, JsonElement Outputs,
    string? Error, int Attempt, DateTime StartedAt, DateTime FinishedAt);

/// <summary>A run as the API shows it; <c>journal</c> only on the single-run endpoints.</summary>
public sealed record WorkflowRunResponse(
    string Id, string DefinitionId, int DefinitionVersion, string Status, string Trigger, string? CorrelationId, bool TestMode,
    DateTime CreatedAt, DateTime UpdatedAt, DateTime? FinishedAt,
    JsonElement Input, JsonElement Variables, IReadOnlyList<WaitingResponse> WaitingFor, WorkflowIncidentResponse? Incident,
    IReadOnlyList<JournalEntryResponse>? Journal)
{
    /// <summary>The run's name, set by Elsa.SetName.</summary>
    public string? Name { get; init; }

    /// <summary>The workflow's outputs (Elsa.SetOutput).</summary>
    public JsonElement Output { get; init; }

    /// <summary>The outcomes the run completed with (Elsa.Complete); null until then or when it named none.</summary>
    public IReadOnlyList<string>? Outcomes { get; init; }

    public static WorkflowRunResponse From(WorkflowRun run, IReadOnlyList<WorkflowJournalEntry>? journal = null)
    {
        var state = WorkflowState.FromJson(run.State);
        return new WorkflowRunResponse(
            run.Id, run.DefinitionId, run.DefinitionVersion, Json.EnumName(run.Status), run.Trigger, run.CorrelationId, run.TestMode,
            run.CreatedAt, run.UpdatedAt, run.FinishedAt,
            JsonSerializer.SerializeToElement(Redact(state.Input), StateJson.Options),
            JsonSerializer.SerializeToElement(Redact(state.Variables), StateJson.Options),
            run.IsFinished ? [] : state.Bookmarks.Select(b => new WaitingResponse(b.ActivityId, b.Name, b.Key, b.DueAt)).ToList(),
            state.Fault is { } f && run.Status == WorkflowRunStatus.Faulted ? new WorkflowIncidentResponse(f.ActivityId, f.ActivityType, f.Message, f.Attempts) : null,
            journal?.Select(e => new JournalEntryResponse(e.Sequence, e.ActivityId, e.ActivityType, e.ActivityName, e.Outcome,
                JsonDocument.Parse(e.Inputs).RootElement.Clone(), JsonDocument.Parse(e.Outputs).RootElement.Clone(), e.Error, e.Attempt,
                e.StartedAt, e.FinishedAt)).ToList())
        {
            Name = state.Name,
            Output = JsonSerializer.SerializeToElement(Redact(state.Output), StateJson.Options),
            Outcomes = state.Outcomes,
        };
    }

    // Responses and workflow_run webhooks show inputs and variables with credential-like names redacted, as journals do.
    private static Dictionary<string, object?> Redact(Dictionary<string, object?> values) =>
        values.ToDictionary(p => p.Key, p => Redaction.Apply(p.Key, p.Value), StringComparer.Ordinal);
}
