using ESign.Hub.Workflows.Activities;
using ESign.Hub.Workflows.Children;
using ESign.Hub.Workflows.Tasks;
using ESign.Hub.Workflows.Expressions;
using ESign.Hub.Workflows.Runs;
using ESign.Hub.Workflows.Runtime;
using ESign.Hub.Workflows.Runtime.Activities;

namespace ESign.Hub.Workflows;

public static class WorkflowRegistration
{
    /// <summary>The workflow engine: activities (Elsa's and the hub's), runner, durable runtime, worker and definition files.</summary>
    public static WebApplicationBuilder AddWorkflows(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<WorkflowOptions>().BindConfiguration("Hub:Workflows")
            .Validate(o => o.LeaseSeconds is >= 2 and <= 3600, "Hub:Workflows:LeaseSeconds must be 2 to 3600.")
            .Validate(o => o.Concurrency is >= 1 and <= 64, "Hub:Workflows:Concurrency must be 1 to 64.")
            .Validate(o => o.PollSeconds is > 0 and <= 60, "Hub:Workflows:PollSeconds must be more than 0 and at most 60.")
            .Validate(o => o.MaxEventRunStartsPerSecond >= 1, "Hub:Workflows:MaxEventRunStartsPerSecond must be at least 1.")
            .Validate(o => o.MaxEventChain >= 2, "Hub:Workflows:MaxEventChain must be at least 2.")
            .ValidateOnStart();
        // Each module adds its own activities; the catalog and the runtime are built from what is registered.
        services.AddElsaActivities();
        services.AddHubActivities();
        services.AddChildRuns();
        services.AddWorkflowTasks();
        services.AddSingleton<ExpressionEvaluator>();
        services.AddSingleton<FlowchartRunner>();
        services.AddSingleton<WorkflowSignal>();
        services.AddSingleton<WorkflowRunEvents>();
        services.AddSingleton<RunFactory>();
        services.AddSingleton<RunLeases>();
        services.AddSingleton<RunResumes>();
        services.AddSingleton<RunCommits>();
        services.AddSingleton<WorkflowRuntime>();
        services.AddSingleton<RunCommands>();
        services.AddSingleton<EventRunStartBudget>();
        services.AddScoped<IEventPublishGuard, EventCycleGuard>();
        services.AddSingleton<HttpRouteTemplates>();
        services.AddSingleton<WorkflowFiles>();
        services.AddSingleton<WorkflowWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<WorkflowWorker>());
        return builder;
    }
}
