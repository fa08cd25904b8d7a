namespace ESign.Hub.Workflows.Runs;

public enum WorkflowRunStatus { Running, Suspended, Completed, Faulted, Canceled }

/// <summary>
/// One workflow instance. <see cref="State"/> is the runner's state as of the last commit point; the row is also the
/// work queue entry (<see cref="RunnableAt"/>) and the per-instance lock (<see cref="LeaseOwner"/> until
/// <see cref="LeaseUntil"/>, fenced by <see cref="LeaseToken"/>).
/// </summary>
public sealed class WorkflowRun : Storage.ITenantOwned
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required string DefinitionId { get; init; }
    public int DefinitionVersion { get; init; }
    /// <summary>The <see cref="StoredWorkflow"/> version row the run started on; it keeps running that version.</summary>
    public required string WorkflowVersionId { get; init; }
    public required bool TestMode { get; init; }
    /// <summary>
    /// What the run may do in the hub (space-separated scopes): those of the credential that started it, or for a run a
    /// trigger started, those its version's publisher had. The hub's activities check the scope they need against these.
    /// </summary>
    public required string Scopes { get; init; }
    /// <summary>How the run started: api, http, event, timer, cron.</summary>
    public required string Trigger { get; init; }
    /// <summary>The caller's business key (a deal, an employee): events that name it resume only this account's runs with it.</summary>
    /// <summary>Set when the run starts, or later by an Elsa.Correlate in it.</summary>
    public string? CorrelationId { get; set; }
    public WorkflowRunStatus Status { get; set; }
    public required string State { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? FinishedAt { get; set; }

    /// <summary>When a worker should pick the run up: now after a start or resume, a timer's due time, null while it only waits for events.</summary>
    public DateTime? RunnableAt { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTime? LeaseUntil { get; set; }
    /// <summary>Changed by every claim; a commit from a worker whose lease was taken over fails instead of overwriting.</summary>
    public string? LeaseToken { get; set; }

    /// <summary>The incident of a faulted run: the activity operators retry from, and why it failed.</summary>
    public string? FaultActivityId { get; set; }
    public string? FaultMessage { get; set; }

    public bool IsFinished => Status is WorkflowRunStatus.Completed or WorkflowRunStatus.Faulted or WorkflowRunStatus.Canceled;
}

/// <summary>
/// A bookmark that something outside the run resumes (an event, a signature request ending, an HTTP request, whatever an
/// activity waits for), indexed by name and key. Timers live only in the run's state; the run's
/// <see cref="WorkflowRun.RunnableAt"/> wakes them. A resume claims the row (<see cref="ResumedAt"/> from null), so two
/// events resume it once.
/// </summary>
public sealed class WorkflowBookmark : Storage.ITenantOwned
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required bool TestMode { get; init; }
    public required string RunId { get; init; }
    public required string ActivityId { get; init; }
    /// <summary>What the activity waits for ("event", "signature", "http", a connector's own): the activity chooses it.</summary>
    public required string Name { get; init; }
    /// <summary>Which one resumes it: the event name, the signature request id, the path.</summary>
    public string? Key { get; init; }
    /// <summary>JSON of what the activity stored with the bookmark when it began to wait.</summary>
    public string? Payload { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? ResumedAt { get; set; }
    /// <summary>JSON of what resumed it.</summary>
    public string? ResumePayload { get; set; }
}

/// <summary>One executed activity of a run, in order; inputs and outputs are JSON with secrets redacted.</summary>
public sealed class WorkflowJournalEntry : Storage.ITenantOwned
{
    public required string RunId { get; init; }
    public int Sequence { get; init; }
    public required string AccountId { get; init; }
    public required bool TestMode { get; init; }
    public required string ActivityId { get; init; }
    public required string ActivityType { get; init; }
    public string? ActivityName { get; init; }
    public required string Outcome { get; init; }
    public required string Inputs { get; init; }
    public required string Outputs { get; init; }
    public string? Error { get; init; }
    public int Attempt { get; init; }
    public DateTime StartedAt { get; init; }
    public DateTime FinishedAt { get; init; }
}

/// <summary>
/// A trigger of a published workflow version: an HTTP path, an event name, or a schedule (timer/cron) with its next
/// due time. Rebuilt whenever a version is published.
/// </summary>
public sealed class WorkflowTrigger : Storage.ITenantOwned
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required string DefinitionId { get; init; }
    public required string WorkflowVersionId { get; init; }
    public required string ActivityId { get; init; }
    /// <summary>http, event, timer or cron.</summary>
    public required string Kind { get; init; }
    /// <summary>The normalized path (http), the event name (event), the interval or cron expression (timer, cron).</summary>
    public required string Key { get; init; }
    /// <summary>Allowed methods of an http trigger, comma-separated upper case.</summary>
    public string? Methods { get; init; }
    public required bool TestMode { get; init; }
    public DateTime? NextRunAt { get; set; }
}
