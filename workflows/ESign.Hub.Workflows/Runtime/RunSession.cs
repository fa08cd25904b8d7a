using ESign.Hub.Workflows.Definitions;

namespace ESign.Hub.Workflows.Runtime;

public enum RunStatus { Running, Suspended, Completed, Faulted }

/// <summary>An event an Elsa.PublishEvent activity raised; the host delivers it when it commits the instance.</summary>
public sealed record PublishedEvent(string Name, string? CorrelationId, Dictionary<string, object?> Payload);

/// <summary>
/// One pass of the runner over one instance, owned by the host for as long as it holds the instance's lock. The host
/// reads what the pass produced (journal entries, published events) at each commit point and clears it.
/// </summary>
public sealed class RunSession
{
    public required string InstanceId { get; init; }
    public required string AccountId { get; init; }

    /// <summary>The definition the instance runs a version of.</summary>
    public required string DefinitionId { get; init; }
    public required Flowchart Flowchart { get; init; }
    public required WorkflowState State { get; init; }
    public required IServiceProvider Services { get; init; }

    /// <summary>Saves the instance as it stands (state, journal, published events, status) in one transaction.</summary>
    public required Func<RunSession, RunStatus, CancellationToken, Task> Commit { get; init; }

    /// <summary>Called when an activity fails, before the retry or fault is committed: the host drops what the activity left unsaved.</summary>
    public Action DiscardActivityChanges { get; init; } = () => { };

    /// <summary>Where Elsa.WriteLine and activity logs go.</summary>
    public Action<ActivityNode, string> Log { get; init; } = (_, _) => { };

    /// <summary>Journal entries not yet committed.</summary>
    public List<JournalEntry> Journal { get; } = [];

    /// <summary>Events published by this pass, not yet committed.</summary>
    public List<PublishedEvent> PublishedEvents { get; } = [];

    /// <summary>Scopes opened or changed by the step running now: the runner checks whether they have completed after it.</summary>
    internal HashSet<string> TouchedScopes { get; } = new(StringComparer.Ordinal);

    /// <summary>Activities and loop iterations this pass has run, against <see cref="FlowchartRunner.MaxActivitiesPerPass"/>.</summary>
    internal int Executed { get; set; }
}
