namespace ESign.Hub.Webhooks;

/// <summary>The event types webhooks deliver, and which timeline entries become them.</summary>
public static class WebhookEvents
{
    public static readonly IReadOnlyList<string> Types =
    [
        "signature_request.sent", "signature_request.viewed", "signature_request.signed", "signature_request.completed",
        "signature_request.declined", "signature_request.expired", "signature_request.canceled", "signature_request.sealing_failed",
        WorkflowRunCompleted, WorkflowRunFaulted, WorkflowRunTaskRequested,
    ];

    public const string WorkflowRunCompleted = "workflow_run.completed";
    public const string WorkflowRunFaulted = "workflow_run.faulted";
    /// <summary>An Elsa.RunTask asked for a task; complete it with POST /v1/workflow-tasks/{id}/complete.</summary>
    public const string WorkflowRunTaskRequested = "workflow_run.task_requested";

    /// <summary>The webhook type of a request's timeline entry, or null for entries that are not delivered (reminders…).</summary>
    public static string? TypeOf(string timelineType) =>
        timelineType is "sent" or "viewed" or "signed" or "completed" or "declined" or "expired" or "canceled" or "sealing_failed"
            ? "signature_request." + timelineType
            : null;
}
