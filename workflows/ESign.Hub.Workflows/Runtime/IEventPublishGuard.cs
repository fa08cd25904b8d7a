namespace ESign.Hub.Workflows.Runtime;

/// <summary>
/// The host's say on an event a run publishes (Elsa.PublishEvent). Only the host knows which workflows an event starts,
/// so only it can see that a run is about to start itself again, directly or through other workflows, without end.
/// A refusal faults the publishing activity with the reason, before anything is published.
/// </summary>
public interface IEventPublishGuard
{
    /// <summary>Why this run may not publish <paramref name="eventName"/>, or null when it may.</summary>
    Task<string?> RefusalAsync(RunSession session, string eventName, CancellationToken ct);
}
