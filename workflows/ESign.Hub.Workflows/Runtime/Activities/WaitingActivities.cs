using Cronos;
using ESign.Hub.Workflows.Definitions;

namespace ESign.Hub.Workflows.Runtime.Activities;

/// <summary>Elsa.Delay: waits <c>timeSpan</c> ("00:05:00", "PT5M" or seconds) on a durable timer.</summary>
public sealed class DelayActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.Delay", "Scheduling", "Delay", "Waits for a time span on a durable timer.")
    {
        Inputs = [new("timeSpan", "TimeSpan", "How long to wait: \"00:05:00\", \"PT5M\" or a number of seconds.") { Required = true }],
        WaitsFor = Bookmark.Timer,
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var delay = TimerInputs.Duration(context, "timeSpan");
        return ValueTask.FromResult(ActivityResult.Wait(context.NewBookmark(Bookmark.Timer, dueAt: context.Now + delay)));
    }
}

/// <summary>
/// Elsa.Timer: as a trigger, the hub starts the workflow every <c>interval</c>; reached inside a flowchart, it waits one
/// interval.
/// </summary>
public sealed class TimerActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.Timer", "Scheduling", "Timer",
        "As a trigger, starts the workflow every interval; inside a flowchart, waits one interval.")
    {
        Inputs = [new("interval", "TimeSpan", "The interval: \"00:05:00\", \"PT5M\" or a number of seconds.") { Required = true }],
        IsTrigger = true,
        Trigger = new(ActivityTrigger.Timer, "interval"),
        WaitsFor = Bookmark.Timer,
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        if (context.TriggerData is not null) return ValueTask.FromResult(ActivityResult.Done);
        var interval = TimerInputs.Duration(context, "interval");
        return ValueTask.FromResult(ActivityResult.Wait(context.NewBookmark(Bookmark.Timer, dueAt: context.Now + interval)));
    }
}

/// <summary>Elsa.Cron: as a trigger, starts the workflow on the schedule; inside a flowchart, waits for the next occurrence.</summary>
public sealed class CronActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.Cron", "Scheduling", "Cron",
        "As a trigger, starts the workflow on a schedule; inside a flowchart, waits for the next occurrence.")
    {
        Inputs = [new("cronExpression", "String", "Five fields, or six with seconds (Quartz style), in UTC.") { Required = true }],
        IsTrigger = true,
        Trigger = new(ActivityTrigger.Cron, "cronExpression"),
        WaitsFor = Bookmark.Timer,
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        if (context.TriggerData is not null) return ValueTask.FromResult(ActivityResult.Done);
        var expression = context.RequireString("cronExpression");
        var next = TimerInputs.NextOccurrence(expression, context.Now)
            ?? throw new ActivityFailure($"cron expression '{expression}' has no next occurrence.");
        return ValueTask.FromResult(ActivityResult.Wait(context.NewBookmark(Bookmark.Timer, dueAt: next)));
    }
}

public static class TimerInputs
{
    /// <summary>Shortest timer interval; a trigger firing more often would flood the instance table.</summary>
    public static readonly TimeSpan MinimumTriggerInterval = TimeSpan.FromSeconds(1);

    public static TimeSpan Duration(ActivityContext context, string input)
    {
        var value = context.Evaluate(input);
        var duration = Durations.From(value) ?? throw new ActivityFailure(
            $"'{input}' must be a duration such as \"00:05:00\", \"PT5M\" or a number of seconds (got {value ?? "nothing"}).");
        return duration < TimeSpan.Zero ? TimeSpan.Zero : duration;
    }

    /// <summary>Next occurrence after <paramref name="after"/> (UTC). Five fields, or six with seconds as Elsa (Quartz-style) writes them.</summary>
    public static DateTime? NextOccurrence(string expression, DateTime after)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // Quartz expressions put '?' where Cronos expects '*'.
        var normalized = string.Join(' ', fields.Select(f => f == "?" ? "*" : f));
        try
        {
            var cron = CronExpression.Parse(normalized, fields.Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
            return cron.GetNextOccurrence(DateTime.SpecifyKind(after, DateTimeKind.Utc));
        }
        catch (CronFormatException e)
        {
            throw new ActivityFailure($"cron expression '{expression}' is not valid: {e.Message}");
        }
    }
}

/// <summary>
/// Elsa.Event: as a trigger, an event of that name starts the workflow; inside a flowchart, waits for the event. The
/// event's payload is the <c>result</c> output.
/// </summary>
public sealed class EventActivity : WorkflowActivity
{
    /// <summary>The bookmark an Elsa.Event waits on, keyed by the event name.</summary>
    public const string BookmarkName = "event";

    public override ActivityDescriptor Descriptor { get; } = new("Elsa.Event", "Primitives", "Event",
        "As a trigger, an event of this name starts the workflow; inside a flowchart, waits for the event.")
    {
        Inputs = [new("eventName", "String", "The event's name (POST /v1/workflow-events, or Elsa.PublishEvent).") { Required = true }],
        Outputs = [new("result", "Object", "The event's payload.")],
        IsTrigger = true,
        Trigger = new(ActivityTrigger.Event, "eventName"),
        WaitsFor = BookmarkName,
    };

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        if (context.TriggerData is { } data)
        {
            context.SetOutput("result", data.GetValueOrDefault("payload"));
            return ValueTask.FromResult(ActivityResult.Done);
        }
        var name = context.RequireString("eventName");
        return ValueTask.FromResult(ActivityResult.Wait(context.NewBookmark(BookmarkName, name)));
    }

    public override ValueTask<ActivityResult> ResumeAsync(ActivityContext context, Bookmark bookmark, IReadOnlyDictionary<string, object?> payload)
    {
        context.SetOutput("result", payload.GetValueOrDefault("payload"));
        return ValueTask.FromResult(ActivityResult.Done);
    }
}

/// <summary>Elsa.PublishEvent: raises <c>eventName</c> with <c>payload</c>; waiting instances resume and Event triggers start, once the instance commits.</summary>
public sealed class PublishEventActivity : WorkflowActivity
{
    public override ActivityDescriptor Descriptor { get; } = new("Elsa.PublishEvent", "Primitives", "Publish Event",
        "Raises an event: waiting runs resume and Event triggers start once this run commits.")
    {
        Inputs =
        [
            new("eventName", "String", "The event's name.") { Required = true },
            new("correlationId", "String", "Only runs started with this correlation id resume."),
            new("payload", "Object", "Data the receivers get as the event's result.") { UiHint = InputUiHint.Json },
        ],
    };

    public override bool HasSideEffects => true;

    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var name = context.RequireString("eventName");
        var correlation = context.GetString("correlationId");
        var payload = context.Evaluate("payload");
        if (context.Services.GetService(typeof(IEventPublishGuard)) is IEventPublishGuard guard
            && await guard.RefusalAsync(context.Session, name, context.CancellationToken) is { } refusal)
            throw new ActivityFailure(refusal);
        context.Session.PublishedEvents.Add(new PublishedEvent(name, correlation,
            new Dictionary<string, object?>(StringComparer.Ordinal) { ["payload"] = Expressions.PlainValues.Normalize(payload) }));
        return ActivityResult.Done;
    }
}
