using ESign.Hub.Workflows.Definitions;

namespace ESign.Hub.Workflows.Runtime;

/// <summary>The activity handlers the runtime can run, by type name: every <see cref="WorkflowActivity"/> the modules registered.</summary>
public sealed class ActivityRegistry
{
    private readonly Dictionary<string, WorkflowActivity> _handlers = new(StringComparer.Ordinal);

    public ActivityRegistry(IEnumerable<WorkflowActivity> handlers)
    {
        foreach (var handler in handlers)
        {
            if (!_handlers.TryAdd(handler.Type, handler) && _handlers[handler.Type].GetType() != handler.GetType())
                throw new InvalidOperationException(
                    $"'{handler.Type}' is registered by both {_handlers[handler.Type].GetType().Name} and {handler.GetType().Name}; each activity type name must be unique.");
        }
    }

    public WorkflowActivity? Find(string type) => _handlers.GetValueOrDefault(type);

    /// <summary>
    /// The handler that runs this node: the one registered for its type, or for a workflow used as an activity (a type that
    /// is another definition's name, with <c>workflowDefinitionId</c> set), the handler registered as
    /// <see cref="WorkflowActivityNodes.HandlerType"/>.
    /// </summary>
    public WorkflowActivity? For(ActivityNode node) =>
        Find(node.Type) ?? (WorkflowActivityNodes.ChildDefinitionId(node) is not null ? Find(WorkflowActivityNodes.HandlerType) : null);

    public IReadOnlyCollection<string> Types => _handlers.Keys;

    /// <summary>The descriptors of the registered activities: what validation and the designer know.</summary>
    public ActivityCatalog ToCatalog() => new(_handlers.Values.Select(h => h.Descriptor));
}
