using Cronos;

namespace ESign.Hub.Workflows.Runtime.Activities;

/// <summary>Elsa.Delay: waits <c>timeSpan</c> ("00:05:00", "PT5M" or seconds) on a durable timer.</summary>
public sealed class DelayActivity : WorkflowActivity
{
    public override string Type => "Elsa.Delay";

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
    public override string Type => "Elsa.Timer";

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
    public override string Type => "Elsa.Cron";

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
    public override string Type => "Elsa.Event";

    public override ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        if (context.TriggerData is { } data)
        {
            context.SetOutput("result", data.GetValueOrDefault("payload"));
            return ValueTask.FromResult(ActivityResult.Done);
        }
        var name = context.RequireString("eventName");
        return ValueTask.FromResult(ActivityResult.Wait(context.NewBookmark(Bookmark.Event, name)));
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
    public override string Type => "Elsa.PublishEvent";
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
