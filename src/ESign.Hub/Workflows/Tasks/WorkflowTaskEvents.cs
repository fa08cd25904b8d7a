using System.Text.Json;
using ESign.Hub.Hosting;
using ESign.Hub.Storage;
using ESign.Hub.Webhooks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Workflows.Tasks;

public sealed record WorkflowTaskEventBody(string Id, string Type, DateTime CreatedAt, WorkflowTaskEventData Data);

public sealed record WorkflowTaskEventData(WorkflowTaskResponse WorkflowTask);

/// <summary>
/// workflow_run.task_requested: one delivery per subscribed endpoint, added to the commit that stores the task (the same
/// transaction, so a task is announced exactly when it exists); the webhook sender delivers it like any other.
/// </summary>
public sealed class WorkflowTaskEvents(IOptions<JsonOptions> json)
{
    public async Task AddTaskRequestedAsync(HubDbContext db, WorkflowTask task, CancellationToken ct)
    {
        var type = WebhookEvents.WorkflowRunTaskRequested;
        var endpoints = await db.WebhookEndpoints.IgnoreQueryFilters().AsNoTracking()
            .Where(w => w.AccountId == task.AccountId && w.Enabled && w.TestMode == task.TestMode).ToListAsync(ct);
        endpoints.RemoveAll(w => !w.Wants(type));
        if (endpoints.Count == 0) return;
        var eventId = Ids.New("evt");
        var payload = JsonSerializer.Serialize(new WorkflowTaskEventBody(eventId, type, task.CreatedAt, new WorkflowTaskEventData(WorkflowTaskResponse.From(task))),
            json.Value.SerializerOptions);
        foreach (var endpoint in endpoints)
        {
            db.WebhookDeliveries.Add(new WebhookDelivery
            {
                Id = Ids.New("whd"), AccountId = task.AccountId, TestMode = task.TestMode, EndpointId = endpoint.Id, EventId = eventId,
                EventType = type, EventOccurredAt = task.CreatedAt, OrderingKey = task.RunId, Payload = payload,
                Status = WebhookDeliveryStatus.Pending, CreatedAt = task.CreatedAt, NextAttemptAt = task.CreatedAt,
            });
        }
    }
}
