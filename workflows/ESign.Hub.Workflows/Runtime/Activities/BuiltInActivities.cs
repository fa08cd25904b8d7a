using Microsoft.Extensions.DependencyInjection;

namespace ESign.Hub.Workflows.Runtime.Activities;

/// <summary>The Elsa-compatible activities that need nothing from the host: this module's registration.</summary>
public static class BuiltInActivities
{
    public static IServiceCollection AddElsaActivities(this IServiceCollection services) => services
        .AddActivity<StartActivity>().AddActivity<EndActivity>().AddActivity<FinishActivity>()
        .AddActivity<FlowDecisionActivity>().AddActivity<FlowSwitchActivity>().AddActivity<FlowForkActivity>().AddActivity<FlowJoinActivity>()
        .AddActivity<SetVariableActivity>().AddActivity<RunJavaScriptActivity>().AddActivity<WriteLineActivity>()
        .AddActivity<DelayActivity>().AddActivity<TimerActivity>().AddActivity<CronActivity>()
        .AddActivity<EventActivity>().AddActivity<PublishEventActivity>()
        .AddActivity<HttpEndpointActivity>().AddActivity<WriteHttpResponseActivity>()
        .AddActivity<NestedFlowchartActivity>().AddActivity<FlowNodeActivity>()
        .AddActivity<CompleteActivity>().AddActivity<FaultActivity>().AddActivity<SetOutputActivity>()
        .AddActivity<SetNameActivity>().AddActivity<CorrelateActivity>()
        .AddActivity<ForEachActivity>().AddActivity<ParallelForEachActivity>().AddActivity<WhileActivity>().AddActivity<BreakActivity>();
}
