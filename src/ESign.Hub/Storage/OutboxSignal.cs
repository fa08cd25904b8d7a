namespace ESign.Hub.Storage;

/// <summary>
/// Raised after a commit that wrote request timeline entries, so the webhook dispatcher in this process runs at once
/// instead of at its next poll (other processes find the entries by polling).
/// </summary>
public sealed class OutboxSignal
{
    public event Action? TimelineWritten;

    public void Raise() => TimelineWritten?.Invoke();
}
