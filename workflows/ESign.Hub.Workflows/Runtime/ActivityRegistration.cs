using ESign.Hub.Workflows.Definitions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ESign.Hub.Workflows.Runtime;

/// <summary>How a module adds its activities: one <see cref="AddActivity{T}"/> per activity class, nothing else to edit.</summary>
public static class ActivityRegistration
{
    /// <summary>
    /// Adds the activity (a stateless singleton) to the runtime and, through its <see cref="WorkflowActivity.Descriptor"/>,
    /// to the catalog that validation, import reports, trigger indexing and <c>GET /v1/activity-types</c> read. Adding the
    /// same class twice is harmless; two classes with one type name stop the host at start.
    /// </summary>
    public static IServiceCollection AddActivity<T>(this IServiceCollection services) where T : WorkflowActivity
    {
        services.TryAddSingleton<T>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<WorkflowActivity, T>(sp => sp.GetRequiredService<T>()));
        services.TryAddSingleton(sp => new ActivityRegistry(sp.GetServices<WorkflowActivity>()));
        services.TryAddSingleton(sp => sp.GetRequiredService<ActivityRegistry>().ToCatalog());
        return services;
    }
}
