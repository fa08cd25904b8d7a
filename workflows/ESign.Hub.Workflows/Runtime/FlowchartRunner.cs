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
        // Elsa's forward graph (which connections a join waits for) starts where the run does: the trigger, else the start.
        state.Scopes[FlowScope.Root] = new FlowScope { Graph = Flowchart.RootGraph, Start = triggerActivityId ?? flowchart.StartActivities.FirstOrDefault() };
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
        state.Scheduled.Insert(0, new ScheduledActivity(fault.ActivityId) { IsRetry = true, Scope = fault.Scope });
        state.Fault = null;
        return true;
    }

    public async Task<RunStatus> RunAsync(RunSession session, IReadOnlyList<Resumption> resumptions, CancellationToken ct)
    {
        var state = session.State;
        var flowchart = session.Flowchart;
        EnsureRootScope(session);

        foreach (var resumption in resumptions)
        {
            var bookmark = state.Bookmarks.FirstOrDefault(b => b.Id == resumption.Bookmark.Id);
            if (bookmark is null) continue; // Already resumed by an earlier pass, or cancelled by a join or a Break.
            state.Bookmarks.Remove(bookmark);
            if (bookmark.Name == Bookmark.Retry)
            {
                state.Scheduled.Insert(0, new ScheduledActivity(bookmark.ActivityId) { IsRetry = true, Scope = bookmark.Scope });
                continue;
            }
            var status = await StepAsync(session, new ScheduledActivity(bookmark.ActivityId) { Scope = bookmark.Scope }, (bookmark, resumption.Payload), ct);
            if (status is RunStatus.Faulted or RunStatus.Completed) return status;
        }

        while (state.Scheduled.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            var next = state.Scheduled[0];
            state.Scheduled.RemoveAt(0);
            if (++session.Executed > MaxActivitiesPerPass)
            {
                // Not put back: a retry schedules the activity again itself.
                return await FaultAsync(session, flowchart.Find(next.ActivityId), next.ActivityId, next.Scope, TooManyMessage, 1, clock.GetUtcNow().UtcDateTime, ct);
            }
            var status = await StepAsync(session, next, null, ct);
            if (status is RunStatus.Faulted or RunStatus.Completed) return status;
        }

        var final = state.Bookmarks.Count > 0 ? RunStatus.Suspended : RunStatus.Completed;
        if (final == RunStatus.Completed) ClearFlowState(state);
        await session.Commit(session, final, ct);
        return state.Fault is null ? final : RunStatus.Faulted;
    }

    private static readonly string TooManyMessage =
        $"ran {MaxActivitiesPerPass:N0} activities without waiting; a loop without a Delay or Event never ends";

    /// <summary>Runs stored before scopes existed get their root scope, with the join arrivals they recorded as Elsa's visit counts.</summary>
    private static void EnsureRootScope(RunSession session)
    {
        var state = session.State;
        if (state.Scopes.ContainsKey(FlowScope.Root)) return;
        var root = new FlowScope { Graph = Flowchart.RootGraph, Start = session.Flowchart.StartActivities.FirstOrDefault() };
        var graph = session.Flowchart.Graph(Flowchart.RootGraph);
        foreach (var (join, sources) in state.JoinArrivals)
        {
            foreach (var connection in graph.Connections.Where(c => c.TargetActivity == join && sources.Contains(c.SourceActivity)))
            {
                root.ConnectionVisits[FlowScope.KeyOf(connection)] = 1;
                root.ConnectionFollowed[FlowScope.KeyOf(connection)] = true;
            }
        }
        state.JoinArrivals.Clear();
        state.Scopes[FlowScope.Root] = root;
    }

    /// <summary>Executes (or resumes) one activity and schedules what follows it. Returns Running unless the run ended.</summary>
    private async Task<RunStatus> StepAsync(RunSession session, ScheduledActivity scheduled, (Bookmark Bookmark, IReadOnlyDictionary<string, object?> Payload)? resume,
        CancellationToken ct)
    {
        var state = session.State;
        var node = session.Flowchart.Find(scheduled.ActivityId);
        var started = clock.GetUtcNow().UtcDateTime;
        var scopeId = scheduled.Scope ?? FlowScope.Root;
        if (node is null)
            return await FaultAsync(session, null, scheduled.ActivityId, scheduled.Scope, "the activity is not in this version of the definition", 1, started, ct);
        if (!state.Scopes.ContainsKey(scopeId)) return RunStatus.Running; // its flowchart ended (a Break, an End) after it was scheduled

        var handler = activities.For(node);
        if (handler is null)
            return await FaultAsync(session, node, node.Id, scheduled.Scope, $"activity type '{node.Type}' cannot run on this hub (it was kept from an import)", 1, started, ct);

        // A retry is the same execution (same idempotency key); a resume continues it.
        var execution = resume is null && !scheduled.IsRetry
            ? state.Executions[node.Id] = state.Executions.GetValueOrDefault(node.Id) + 1
            : state.Executions.GetValueOrDefault(node.Id, 1);
        var attempt = state.FailedAttempts.GetValueOrDefault(node.Id) + 1;
        var context = new ActivityContext(session, node, scheduled, execution, attempt, expressions, started) { CancellationToken = ct };
        session.TouchedScopes.Clear();
        session.TouchedScopes.Add(scopeId);

        ActivityResult result;
        try
        {
            // An explicit join, when it runs, stops what still runs towards it in its flowchart (Elsa's FlowJoin does so).
            if (node.Type == JoinType && resume is null) CancelInbound(session, scopeId, node.Id);
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
            var message = Describe(e);
            if (retryable && attempt < policy.MaxAttempts)
            {
                state.FailedAttempts[node.Id] = attempt;
                var due = started + policy.DelayBefore(attempt + 1);
                state.Bookmarks.Add(new Bookmark(Bookmark.NewId(), node.Id, Bookmark.Retry, null, due) { Scope = scheduled.Scope });
                Record(session, node, $"Retrying at {due:O}", context, message, attempt, started);
                await session.Commit(session, RunStatus.Running, ct);
                // The host may fault the run while committing (its data grew too large).
                return state.Fault is null ? RunStatus.Running : RunStatus.Faulted;
            }
            return await FaultAsync(session, node, node.Id, scheduled.Scope, message, attempt, started, ct, context);
        }

        state.FailedAttempts.Remove(node.Id);
        if (result.FinishesWorkflow || (result.FinishesFlowchart && scopeId == FlowScope.Root))
            return await FinishRunAsync(session, node, context, attempt, started, ct);

        if (result.Suspends)
        {
            var inScope = scopeId == FlowScope.Root ? null : scopeId;
            state.Bookmarks.AddRange(result.Bookmarks.Select(b => b.Scope == inScope ? b : b with { Scope = inScope }));
            Record(session, node, "Suspended", context, null, attempt, started);
        }
        else if (result.IsRunning)
        {
            Record(session, node, "Running", context, null, attempt, started);
        }
        else if (result.FinishesFlowchart)
        {
            Record(session, node, "Finished", context, null, attempt, started);
            DropScopeWork(state, scopeId);
        }
        else if (result.Breaks)
        {
            Record(session, node, "Break", context, null, attempt, started);
            Break(session, scopeId);
        }
        else
        {
            Record(session, node, string.Join(", ", result.Outcomes), context, null, attempt, started);
            ScheduleOutbound(session, scopeId, node, result.Outcomes, scheduled.Backward);
        }

        var settled = await SettleScopesAsync(session, ct);
        if (settled is not RunStatus.Running) return settled;

        if (handler.HasSideEffects)
        {
            await session.Commit(session, RunStatus.Running, ct);
            if (state.Fault is not null) return RunStatus.Faulted; // faulted by the host while committing
        }
        return RunStatus.Running;
    }

    private const string JoinType = "Elsa.FlowJoin";

    private static string Describe(Exception e) => e switch
    {
        ActivityFailure or ExpressionProblem or HttpRequestException => e.Message,
        OperationCanceledException or TimeoutException => "timed out",
        _ => $"unexpected error ({e.GetType().Name}): {e.Message}",
    };

    private async Task<RunStatus> FinishRunAsync(RunSession session, ActivityNode node, ActivityContext? context, int attempt, DateTime started, CancellationToken ct)
    {
        var state = session.State;
        state.Scheduled.Clear();
        state.Bookmarks.Clear();
        ClearFlowState(state);
        // Elsa.Complete's outcomes are what the journal shows for it; End and Finish just finish.
        Record(session, node, state.Outcomes is { Count: > 0 } outcomes ? string.Join(", ", outcomes) : "Finished", context, null, attempt, started);
        await session.Commit(session, RunStatus.Completed, ct);
        return state.Fault is null ? RunStatus.Completed : RunStatus.Faulted;
    }

    /// <summary>A finished run keeps no loop or nested-flowchart bookkeeping; the root's visit counts stay for whoever inspects it.</summary>
    private static void ClearFlowState(WorkflowState state)
    {
        state.JoinArrivals.Clear();
        state.Containers.Clear();
        foreach (var id in state.Scopes.Keys.Where(k => k != FlowScope.Root).ToList()) state.Scopes.Remove(id);
    }

    // ---- Elsa's flowchart scheduling (counter-based, Elsa 3's default) ----

    /// <summary>
    /// Elsa's rule for what runs after an activity completes with <paramref name="outcomes"/>: every outbound connection is
    /// visited, and followed when its port is among the outcomes. A target with one forward inbound connection runs when that
    /// is followed. A target with several runs once all of them have been visited since it last ran: an implicit join
    /// (WaitAllActive) runs if any was followed, a FlowJoin in WaitAll mode only if all were; a WaitAny join runs at the
    /// first followed one. A target none of whose connections was followed is skipped: its own outbound connections are
    /// visited as not followed, so joins further on do not wait for a path that can no longer be taken. A connection back
    /// into a loop schedules its target whenever it is followed.
    /// </summary>
    private static void ScheduleOutbound(RunSession session, string scopeId, ActivityNode node, IReadOnlyList<string> outcomes, bool backward, int depth = 0)
    {
        var state = session.State;
        if (!state.Scopes.TryGetValue(scopeId, out var scope)) return;
        var graph = session.Flowchart.Graph(scope.Graph);
        var forward = graph.Forward(scope.Start);
        if (!backward) scope.ActivityVisits[node.Id] = scope.ActivityVisits.GetValueOrDefault(node.Id) + 1;
        var inScope = scopeId == FlowScope.Root ? null : scopeId;

        foreach (var connection in graph.Outbound(node.Id))
        {
            var followed = outcomes.Contains(connection.SourcePort, StringComparer.Ordinal);
            var key = FlowScope.KeyOf(connection);
            scope.ConnectionVisits[key] = scope.ConnectionVisits.GetValueOrDefault(key) + 1;
            scope.ConnectionFollowed[key] = followed;
            var target = connection.TargetActivity;
            if (session.Flowchart.Find(target) is not { } targetNode) continue;

            if (!forward.IsForward(connection))
            {
                if (followed) state.Scheduled.Add(new ScheduledActivity(target, node.Id) { Scope = inScope, Backward = true });
                continue;
            }

            var inbound = forward.Inbound(target);
            var visits = scope.ActivityVisits.GetValueOrDefault(target);
            long Count(Connection c) => scope.ConnectionVisits.GetValueOrDefault(FlowScope.KeyOf(c));
            bool Followed(Connection c) => scope.ConnectionFollowed.GetValueOrDefault(FlowScope.KeyOf(c));
            var allVisited = inbound.Min(c => Count(c)) > visits;
            var max = inbound.Max(c => Count(c));
            var anyFollowed = max > visits && inbound.Any(c => Count(c) == max && Followed(c));
            var allFollowed = max > visits && inbound.All(c => Count(c) == max && Followed(c));

            switch (JoinMode(targetNode))
            {
                case "WaitAny":
                    if (Count(connection) <= visits) continue; // the join already ran for this round
                    if (state.Scheduled.Any(s => s.ActivityId == target && s.Scope == inScope)) continue;
                    if (anyFollowed)
                    {
                        state.Scheduled.Add(new ScheduledActivity(target, node.Id) { Scope = inScope });
                        CancelInbound(session, scopeId, target, waitingOnly: true);
                    }
                    else if (allVisited) Skip(session, scopeId, targetNode, depth);
                    break;
                case "WaitAll":
                    if (!allVisited) continue;
                    if (allFollowed) state.Scheduled.Add(new ScheduledActivity(target, node.Id) { Scope = inScope });
                    else Skip(session, scopeId, targetNode, depth);
                    break;
                default: // WaitAllActive: Elsa's implicit join
                    if (!allVisited) continue;
                    if (anyFollowed) state.Scheduled.Add(new ScheduledActivity(target, node.Id) { Scope = inScope });
                    else Skip(session, scopeId, targetNode, depth);
                    break;
            }
        }
    }

    private static void Skip(RunSession session, string scopeId, ActivityNode node, int depth)
    {
        // Skipping follows connections forward only, so it ends; the bound guards against a definition no forward graph explains.
        if (depth > 10_000) throw new ActivityFailure("skipping untaken paths went deeper than 10,000 activities");
        ScheduleOutbound(session, scopeId, node, [], false, depth + 1);
    }

    /// <summary>
    /// Drops what still runs towards <paramref name="targetId"/> in its flowchart: activities scheduled or waiting that lead to
    /// it, and the bodies of containers among them. With <paramref name="waitingOnly"/>, only waiting ones (Elsa cancels the
    /// activities that are running when a WaitAny join is reached; the join itself cancels the rest when it runs).
    /// </summary>
    private static void CancelInbound(RunSession session, string scopeId, string targetId, bool waitingOnly = false)
    {
        var state = session.State;
        if (!state.Scopes.TryGetValue(scopeId, out var scope)) return;
        var ancestors = session.Flowchart.Graph(scope.Graph).Forward(scope.Start).Ancestors(targetId);
        if (ancestors.Count == 0) return;
        var inScope = scopeId == FlowScope.Root ? null : scopeId;
        if (!waitingOnly) state.Scheduled.RemoveAll(s => s.Scope == inScope && ancestors.Contains(s.ActivityId));
        state.Bookmarks.RemoveAll(b => b.Scope == inScope && ancestors.Contains(b.ActivityId));
        foreach (var child in state.Scopes.Where(p => p.Value.Parent == scopeId && ancestors.Contains(p.Value.Owner!)).Select(p => p.Key).ToList())
            RemoveScope(state, child);
        foreach (var ancestor in ancestors) state.Containers.Remove(ContainerRun.KeyOf(scopeId, ancestor));
    }

    /// <summary>Removes a scope with everything running in it and in the scopes it opened.</summary>
    private static void RemoveScope(WorkflowState state, string scopeId)
    {
        DropScopeWork(state, scopeId);
        state.Scopes.Remove(scopeId);
    }

    /// <summary>Drops what a scope has scheduled, waiting and open below it, leaving the scope itself (so it can complete).</summary>
    private static void DropScopeWork(WorkflowState state, string scopeId)
    {
        var inScope = scopeId == FlowScope.Root ? null : scopeId;
        state.Scheduled.RemoveAll(s => s.Scope == inScope);
        state.Bookmarks.RemoveAll(b => b.Scope == inScope);
        foreach (var key in state.Containers.Keys.Where(k => k.StartsWith(scopeId + "/", StringComparison.Ordinal)).ToList()) state.Containers.Remove(key);
        foreach (var child in state.Scopes.Where(p => p.Value.Parent == scopeId).Select(p => p.Key).ToList()) RemoveScope(state, child);
    }

    /// <summary>
    /// Elsa.Break: the nearest enclosing ForEach or While ends once its current iteration is dropped. With no loop around it,
    /// Break ends its own flowchart, as Elsa's terminal nodes do.
    /// </summary>
    private void Break(RunSession session, string scopeId)
    {
        var state = session.State;
        for (var id = scopeId; state.Scopes.TryGetValue(id, out var scope) && scope.Parent is { } parent; id = parent)
        {
            if (session.Flowchart.Find(scope.Owner!) is not { } owner || activities.Find(owner.Type) is not { EndsOnBreak: true }) continue;
            if (state.Containers.TryGetValue(ContainerRun.KeyOf(parent, owner.Id), out var loop)) loop.Breaking = true;
            DropScopeWork(state, id);
            session.TouchedScopes.Add(id);
            return;
        }
        DropScopeWork(state, scopeId);
    }

    private static bool IsIdle(WorkflowState state, string scopeId) =>
        !state.Scheduled.Any(s => s.Scope == scopeId) && !state.Bookmarks.Any(b => b.Scope == scopeId) && !state.Scopes.Values.Any(s => s.Parent == scopeId);

    /// <summary>
    /// Completes the scopes touched by the last step that have nothing left to do, innermost first: each one's owner continues
    /// (a loop's next iteration, or its outcome ports in the flowchart around it), which may complete the scope around it too.
    /// </summary>
    private async Task<RunStatus> SettleScopesAsync(RunSession session, CancellationToken ct)
    {
        var state = session.State;
        while (session.TouchedScopes.Count > 0)
        {
            var scopeId = session.TouchedScopes.First();
            session.TouchedScopes.Remove(scopeId);
            if (scopeId == FlowScope.Root || !state.Scopes.TryGetValue(scopeId, out var scope) || !IsIdle(state, scopeId)) continue;
            state.Scopes.Remove(scopeId);
            var parentId = scope.Parent ?? FlowScope.Root;
            session.TouchedScopes.Add(parentId);
            if (session.Flowchart.Find(scope.Owner!) is not { } owner || activities.Find(owner.Type) is not { } handler) continue;
            var key = ContainerRun.KeyOf(parentId, owner.Id);
            if (state.Containers.TryGetValue(key, out var container)) container.Open--;

            var started = clock.GetUtcNow().UtcDateTime;
            var scheduled = new ScheduledActivity(owner.Id) { Scope = parentId == FlowScope.Root ? null : parentId };
            if (++session.Executed > MaxActivitiesPerPass)
                return await FaultAsync(session, owner, owner.Id, scheduled.Scope, TooManyMessage, 1, started, ct);
            var context = new ActivityContext(session, owner, scheduled, state.Executions.GetValueOrDefault(owner.Id, 1), 1, expressions, started)
            {
                CancellationToken = ct,
            };
            ActivityResult result;
            try
            {
                result = await handler.OnBodyCompletedAsync(context);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                session.DiscardActivityChanges();
                return await FaultAsync(session, owner, owner.Id, scheduled.Scope, Describe(e), 1, started, ct, context);
            }

            if (result.IsRunning) continue;
            state.Containers.Remove(key);
            if (result.FinishesWorkflow || (result.FinishesFlowchart && parentId == FlowScope.Root))
                return await FinishRunAsync(session, owner, context, 1, started, ct);
            if (result.FinishesFlowchart)
            {
                Record(session, owner, "Finished", context, null, 1, started);
                DropScopeWork(state, parentId);
                continue;
            }
            Record(session, owner, string.Join(", ", result.Outcomes), context, null, 1, started);
            ScheduleOutbound(session, parentId, owner, result.Outcomes, false);
        }
        return RunStatus.Running;
    }

    private static string JoinMode(ActivityNode node)
    {
        if (node.Type != JoinType) return "WaitAllActive";
        if (!node.Inputs.TryGetValue("mode", out var mode)) return "WaitAll";
        return mode.Value.ValueKind switch
        {
            // Elsa 3.0 numbered WaitAny 1 (WaitAll, WaitAny); later releases 2 (WaitAll, WaitAllActive, WaitAny). Either number is WaitAny.
            System.Text.Json.JsonValueKind.String when mode.Value.GetString() is "WaitAny" or "1" or "2" => "WaitAny",
            System.Text.Json.JsonValueKind.String when mode.Value.GetString() is "WaitAllActive" => "WaitAllActive",
            System.Text.Json.JsonValueKind.Number when mode.Value.TryGetInt32(out var n) && n is 1 or 2 => "WaitAny",
            _ => "WaitAll",
        };
    }

    private async Task<RunStatus> FaultAsync(RunSession session, ActivityNode? node, string activityId, string? scope, string message, int attempts,
        DateTime started, CancellationToken ct, ActivityContext? context = null)
    {
        var type = node?.Type ?? "unknown";
        session.State.Fault = new WorkflowFault(activityId, type, message, attempts) { Scope = scope };
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
