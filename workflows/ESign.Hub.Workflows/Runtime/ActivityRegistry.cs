namespace ESign.Hub.Workflows.Runtime;

/// <summary>The activity handlers the runtime can run, by Elsa type name. The host adds its own (Hub.*) to the built-in ones.</summary>
public sealed class ActivityRegistry
{
    private readonly Dictionary<string, WorkflowActivity> _handlers = new(StringComparer.Ordinal);

    public ActivityRegistry(IEnumerable<WorkflowActivity> handlers)
    {
        foreach (var handler in handlers) _handlers[handler.Type] = handler;
    }

    public WorkflowActivity? Find(string type) => _handlers.GetValueOrDefault(type);

    public IReadOnlyCollection<string> Types => _handlers.Keys;
}
