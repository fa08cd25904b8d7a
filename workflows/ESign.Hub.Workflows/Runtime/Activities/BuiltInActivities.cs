namespace ESign.Hub.Workflows.Runtime.Activities;

/// <summary>The Elsa-compatible activities that need nothing from the host.</summary>
public static class BuiltInActivities
{
    public static IReadOnlyList<WorkflowActivity> All() =>
    [
        new StartActivity(), new FinishActivity("Elsa.End"), new FinishActivity("Elsa.Finish"),
        new FlowDecisionActivity(), new FlowSwitchActivity(), new FlowForkActivity(), new FlowJoinActivity(),
        new SetVariableActivity(), new RunJavaScriptActivity(), new WriteLineActivity(),
        new DelayActivity(), new TimerActivity(), new CronActivity(), new EventActivity(), new PublishEventActivity(),
        new HttpEndpointActivity(), new WriteHttpResponseActivity(),
    ];
}
