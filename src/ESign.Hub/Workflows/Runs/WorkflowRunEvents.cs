using System.Text.Json;
using ESign.Hub.Hosting;
using ESign.Hub.Storage;
using ESign.Hub.Webhooks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Workflows.Runs;

public sealed record WorkflowRunEventBody(string Id, string Type, DateTime CreatedAt, WorkflowRunEventData Data);

public sealed record WorkflowRunEventData(WorkflowRunResponse WorkflowRun);

/// <summary>
/// workflow_run.completed and workflow_run.faulted: deliveries are added to the commit that finishes the run (the same
/// transaction, so an event is never lost or invented), and the webhook sender sends them like any other.
/// </summary>
public sealed class WorkflowRunEvents(WebhookSender sender, IOptions<JsonOptions> json)
{
    /// <summary>Adds one delivery per subscribed endpoint; true if there was any.</summary>
    public async Task<bool> AddRunFinishedAsync(HubDbContext db, WorkflowRun run, DateTime now, CancellationToken ct)
    {
        var type = run.Status == WorkflowRunStatus.Completed ? WebhookEvents.WorkflowRunCompleted : WebhookEvents.WorkflowRunFaulted;
        var endpoints = await db.WebhookEndpoints.IgnoreQueryFilters().AsNoTracking()
            .Where(w => w.AccountId == run.AccountId && w.Enabled && w.TestMode == run.TestMode).ToListAsync(ct);
        endpoints.RemoveAll(w => !w.Wants(type));
        if (endpoints.Count == 0) return false;

        var eventId = Ids.New("evt");
        var payload = JsonSerializer.Serialize(new WorkflowRunEventBody(eventId, type, now, new WorkflowRunEventData(WorkflowRunResponse.From(run))),
            json.Value.SerializerOptions);
        foreach (var endpoint in endpoints)
        {
            db.WebhookDeliveries.Add(new WebhookDelivery
            {
                Id = Ids.New("whd"),
                AccountId = run.AccountId,
                TestMode = run.TestMode,
                EndpointId = endpoint.Id,
                EventId = eventId,
                EventType = type,
                EventOccurredAt = now,
                OrderingKey = run.Id,
                Payload = payload,
                Status = WebhookDeliveryStatus.Pending,
                CreatedAt = now,
                NextAttemptAt = now,
            });
        }
        return true;
    }

    public void Wake() => sender.Wake();
}
