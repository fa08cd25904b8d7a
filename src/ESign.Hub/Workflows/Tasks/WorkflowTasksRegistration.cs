using ESign.Hub.Workflows.Runs;
using ESign.Hub.Workflows.Runtime;

namespace ESign.Hub.Workflows.Tasks;

/// <summary>Elsa.RunTask, its task store and events, and the source that resumes runs whose task was completed.</summary>
public static class WorkflowTasksRegistration
{
    public static IServiceCollection AddWorkflowTasks(this IServiceCollection services)
    {
        services.AddSingleton<WorkflowTaskEvents>();
        services.AddActivity<RunTaskActivity>();
        services.AddSingleton<IBookmarkSource, TaskCompleted>();
        return services;
    }
}
