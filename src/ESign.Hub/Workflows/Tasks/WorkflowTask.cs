namespace ESign.Hub.Workflows.Tasks;

public enum WorkflowTaskStatus { Pending, Completed }

/// <summary>
/// A task an Elsa.RunTask activity asked an outside system (or person) to do; the run waits until it is completed through
/// <c>POST /v1/workflow-tasks/{id}/complete</c>. Completing is the one state change, and happens once.
/// </summary>
public sealed class WorkflowTask : Storage.ITenantOwned
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required bool TestMode { get; init; }
    public required string RunId { get; init; }
    public required string ActivityId { get; init; }
    /// <summary>The bookmark the run waits on; completing the task resumes it.</summary>
    public required string BookmarkId { get; init; }
    /// <summary>Elsa's <c>taskName</c>: what is to be done ("Create Email Account").</summary>
    public required string Name { get; init; }
    /// <summary>JSON of Elsa's <c>payload</c>: the data the task is about.</summary>
    public string? Payload { get; init; }
    public WorkflowTaskStatus Status { get; private set; }
    /// <summary>JSON of what the task's completer sent; the RunTask activity's <c>result</c>.</summary>
    public string? Result { get; private set; }
    public DateTime CreatedAt { get; init; }
    public DateTime? CompletedAt { get; private set; }

    /// <summary>Marks the task done with its result; false if it was completed already.</summary>
    public bool Complete(string? resultJson, DateTime now)
    {
        if (Status == WorkflowTaskStatus.Completed) return false;
        (Status, Result, CompletedAt) = (WorkflowTaskStatus.Completed, resultJson, now);
        return true;
    }
}
