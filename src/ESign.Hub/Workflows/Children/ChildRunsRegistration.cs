using ESign.Hub.Workflows.Runs;
using ESign.Hub.Workflows.Runtime;

namespace ESign.Hub.Workflows.Children;

/// <summary>Child runs: Elsa.ExecuteWorkflow, Elsa.DispatchWorkflow and workflows used as activities.</summary>
public static class ChildRunsRegistration
{
    public static IServiceCollection AddChildRuns(this IServiceCollection services)
    {
        services.AddSingleton<ChildRuns>();
        services.AddActivity<ExecuteWorkflowActivity>().AddActivity<DispatchWorkflowActivity>().AddActivity<WorkflowDefinitionActivity>();
        services.AddSingleton<IBookmarkSource, ChildRunEnded>();
        return services;
    }
}
