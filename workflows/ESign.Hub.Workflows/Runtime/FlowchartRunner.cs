using ESign.Hub.Workflows.Definitions;
using ESign.Hub.Workflows.Expressions;

namespace ESign.Hub.Workflows.Runtime;

/// <summary>A bookmark being resumed, with what resumed it (the event payload, the signature request's outcome, …).</summary>
public sealed record Resumption(Bookmark Bookmark, IReadOnlyDictionary<string, object?> Payload);

/// <summary>
/// Runs a flowchart instance: takes scheduled activities one by one, executes them, follows their outcome ports, and
/// stops when the instance completes, faults or has nothing left to do but wait. Deterministic given the state and
/// the activities' results; all durability is the host's <see cref="RunSession.Commit"/>, called after every activity
/// with side effects and when the pass ends.
/// </summary>
public sealed class FlowchartRunner(ActivityRegistry activities, ExpressionEvaluator expressions, TimeProvider clock)
{
    /// <summary>Activities one pass may run without waiting; more means a loop that never waits, and the instance faults.</summary>
    public const int MaxActivitiesPerPass = 10_000;

    /// <summary>Schedules the start of a new instance: the trigger that fired, or the flowchart's start activities.</summary>
    public static void Begin(Flowchart flowchart, WorkflowState state, string? triggerActivityId = null, Dictionary<string, object?>? triggerData = null)
    {
        foreach (var variable in flowchart.Definition.Variables)
            state.Variables[variable.Name] = VariableValues.Initial(variable);
        if (triggerActivityId is not null)
            state.Scheduled.Add(new ScheduledActivity(triggerActivityId, null, triggerData ?? []));
        else
            state.Scheduled.AddRange(flowchart.StartActivities.Select(id => new ScheduledActivity(id)));
    }

    /// <summary>Schedules the faulted activity again (attempts start over) so the next pass continues from it.</summary>
    public static bool PrepareRetry(WorkflowState state)
    {
        if (state.Fault is not { } fault) return false;
        state.FailedAttempts.Remove(fault.ActivityId);
        state.Scheduled.Insert(0, new ScheduledActivity(fault.ActivityId) { IsRetry = true });
        state.Fault = null;
        return true;
    }

    public async Task<RunStatus> RunAsync(RunSession session, IReadOnlyList<Resumption> resumptions, CancellationToken ct)
    {
        var state = session.State;
        var flowchart = session.Flowchart;
        var executed = 0;

        foreach (var resumption in resumptions)
        {
            var bookmark = state.Bookmarks.FirstOrDefault(b => b.Id == resumption.Bookmark.Id);
            if (bookmark is null) continue; // Already resumed by an earlier pass, or cancelled by a WaitAny join.
            state.Bookmarks.Remove(bookmark);
            if (bookmark.Name == Bookmark.Retry)
            {
                state.Scheduled.Insert(0, new ScheduledActivity(bookmark.ActivityId) { IsRetry = true });
                continue;
            }
            var status = await StepAsync(session, new ScheduledActivity(bookmark.ActivityId), (bookmark, resumption.Payload), ct);
            if (status is RunStatus.Faulted or RunStatus.Completed) return status;
        }

        while (state.Scheduled.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            var next = state.Scheduled[0];
            state.Scheduled.RemoveAt(0);
            if (++executed > MaxActivitiesPerPass)
            {
                // Not put back: a retry schedules the activity again itself.
                return await FaultAsync(session, flowchart.Find(next.ActivityId), next.ActivityId,
                    $"ran {MaxActivitiesPerPass:N0} activities without waiting; a loop without a Delay or Event never ends", 1, clock.GetUtcNow().UtcDateTime, ct);
            }
            var status = await StepAsync(session, next, null, ct);
            if (status is RunStatus.Faulted or RunStatus.Completed) return status;
        }

        var final = state.Bookmarks.Count > 0 ? RunStatus.Suspended : RunStatus.Completed;
        await session.Commit(session, final, ct);
        return state.Fault is null ? final : RunStatus.Faulted;
    }

    /// <summary>Executes (or resumes) one activity and schedules what follows it. Returns Running unless the run ended.</summary>
    private async Task<RunStatus> StepAsync(RunSession session, ScheduledActivity scheduled, (Bookmark Bookmark, IReadOnlyDictionary<string, object?> Payload)? resume,
        CancellationToken ct)
    {
        var state = session.State;
        var node = session.Flowchart.Find(scheduled.ActivityId);
        var started = clock.GetUtcNow().UtcDateTime;
        if (node is null)
            return await FaultAsync(session, null, scheduled.ActivityId, "the activity is not in this version of the definition", 1, started, ct);

        if (node.Type == "Elsa.FlowJoin" && resume is null && !JoinFires(session, node, scheduled))
            return RunStatus.Running;

        var handler = activities.For(node);
        if (handler is null)
            return await FaultAsync(session, node, node.Id, $"activity type '{node.Type}' cannot run on this hub (it was kept from an import)", 1, started, ct);

        // A retry is the same execution (same idempotency key); a resume continues it.
        var execution = resume is null && !scheduled.IsRetry
            ? state.Executions[node.Id] = state.Executions.GetValueOrDefault(node.Id) + 1
            : state.Executions.GetValueOrDefault(node.Id, 1);
        var attempt = state.FailedAttempts.GetValueOrDefault(node.Id) + 1;
        var context = new ActivityContext(session, node, scheduled, execution, attempt, expressions, started) { CancellationToken = ct };

        ActivityResult result;
        try
        {
            result = resume is { } r
                ? await handler.ResumeAsync(context, r.Bookmark, r.Payload)
                : await handler.ExecuteAsync(context);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            session.DiscardActivityChanges();
            // Whatever an activity throws ends in a retry or an incident, never in a run that a worker picks up and
            // fails on again and again. Only ActivityFailure messages are written for the author; others are named as such.
            var failure = e as ActivityFailure;
            var retryable = failure?.Retryable ?? e is HttpRequestException or TimeoutException or OperationCanceledException;
            var policy = session.Flowchart.RetryPolicies.GetValueOrDefault(node.Id) ?? handler.DefaultRetry;
            var message = e switch
            {
                ActivityFailure or ExpressionProblem or HttpRequestException => e.Message,
                OperationCanceledException or TimeoutException => "timed out",
                _ => $"unexpected error ({e.GetType().Name}): {e.Message}",
            };
            if (retryable && attempt < policy.MaxAttempts)
            {
                state.FailedAttempts[node.Id] = attempt;
                var due = started + policy.DelayBefore(attempt + 1);
                state.Bookmarks.Add(new Bookmark(Bookmark.NewId(), node.Id, Bookmark.Retry, null, due));
                Record(session, node, $"Retrying at {due:O}", context, message, attempt, started);
                await session.Commit(session, RunStatus.Running, ct);
                // The host may fault the run while committing (its data grew too large).
                return state.Fault is null ? RunStatus.Running : RunStatus.Faulted;
            }
            return await FaultAsync(session, node, node.Id, message, attempt, started, ct, context);
        }

        state.FailedAttempts.Remove(node.Id);
        if (result.FinishesWorkflow)
        {
            state.Scheduled.Clear();
            state.Bookmarks.Clear();
            state.JoinArrivals.Clear();
            Record(session, node, "Finished", context, null, attempt, started);
            await session.Commit(session, RunStatus.Completed, ct);
            return state.Fault is null ? RunStatus.Completed : RunStatus.Faulted;
        }

        if (result.Suspends)
        {
            state.Bookmarks.AddRange(result.Bookmarks);
            Record(session, node, "Suspended", context, null, attempt, started);
        }
        else
        {
            foreach (var port in result.Outcomes)
                foreach (var target in session.Flowchart.Targets(node.Id, port))
                    state.Scheduled.Add(new ScheduledActivity(target, node.Id));
            Record(session, node, string.Join(", ", result.Outcomes), context, null, attempt, started);
        }

        if (handler.HasSideEffects)
        {
            await session.Commit(session, RunStatus.Running, ct);
            if (state.Fault is not null) return RunStatus.Faulted; // faulted by the host while committing
        }
        return RunStatus.Running;
    }

    /// <summary>
    /// Counts a token arriving at a join. WaitAll fires when every inbound source has delivered one; WaitAny fires on the
    /// first and cancels what is still running or waiting in the other branches.
    /// </summary>
    private static bool JoinFires(RunSession session, ActivityNode join, ScheduledActivity scheduled)
    {
        var state = session.State;
        if (!state.JoinArrivals.TryGetValue(join.Id, out var arrived))
            state.JoinArrivals[join.Id] = arrived = [];
        if (scheduled.From is not null && !arrived.Contains(scheduled.From)) arrived.Add(scheduled.From);

        if (JoinMode(join) == "WaitAny")
        {
            // The first token fires the join; what the other branches still had scheduled or waiting is dropped, so no late
            // token arrives, and the next round (in a loop) starts counting afresh.
            var feeders = session.Flowchart.FeedersOf(join.Id);
            state.Scheduled.RemoveAll(s => feeders.Contains(s.ActivityId) || s.ActivityId == join.Id);
            state.Bookmarks.RemoveAll(b => feeders.Contains(b.ActivityId));
            state.JoinArrivals.Remove(join.Id);
            return true;
        }

        var sources = session.Flowchart.JoinSources(join.Id);
        if (!sources.All(arrived.Contains)) return false;
        state.JoinArrivals.Remove(join.Id);
        return true;
    }

    private static string JoinMode(ActivityNode join)
    {
        if (!join.Inputs.TryGetValue("mode", out var mode)) return "WaitAll";
        return mode.Value.ValueKind switch
        {
            System.Text.Json.JsonValueKind.String when mode.Value.GetString() is "WaitAny" or "1" => "WaitAny",
            System.Text.Json.JsonValueKind.Number when mode.Value.GetInt32() == 1 => "WaitAny",
            _ => "WaitAll",
        };
    }

    private async Task<RunStatus> FaultAsync(RunSession session, ActivityNode? node, string activityId, string message, int attempts, DateTime started,
        CancellationToken ct, ActivityContext? context = null)
    {
        var type = node?.Type ?? "unknown";
        session.State.Fault = new WorkflowFault(activityId, type, message, attempts);
        session.State.FailedAttempts.Remove(activityId);
        if (node is not null) Record(session, node, "Faulted", context, message, attempts, started);
        await session.Commit(session, RunStatus.Faulted, ct);
        return RunStatus.Faulted;
    }

    private void Record(RunSession session, ActivityNode node, string outcome, ActivityContext? context, string? error, int attempt, DateTime started) =>
        session.Journal.Add(new JournalEntry(++session.State.JournalSequence, node.Id, node.Type, node.Name, outcome,
            context?.RecordedInputs ?? [], context?.RecordedOutputs ?? [], error, attempt, started, clock.GetUtcNow().UtcDateTime));
}

/// <summary>Initial values of workflow variables; Elsa writes them as text ("0", "true") whatever the type.</summary>
internal static class VariableValues
{
    public static object? Initial(WorkflowVariable variable)
    {
        if (variable.Value is not { } value) return null;
        var plain = PlainValues.FromJson(value);
        if (plain is not string text) return plain;
        var type = variable.TypeName.ToLowerInvariant();
        if (type.Contains("int") && long.TryParse(text, out var l)) return l;
        if ((type.Contains("double") || type.Contains("decimal") || type.Contains("single")) &&
            double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var d)) return d;
        if (type.Contains("bool") && bool.TryParse(text, out var b)) return b;
        return text;
    }
}
