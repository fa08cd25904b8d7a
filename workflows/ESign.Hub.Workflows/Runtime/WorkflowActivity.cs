using ESign.Hub.Workflows.Definitions;

namespace ESign.Hub.Workflows.Runtime;

/// <summary>
/// The behaviour of one activity type. Handlers are stateless singletons; everything about the running instance
/// comes through the <see cref="ActivityContext"/>.
/// </summary>
public abstract class WorkflowActivity
{
    /// <summary>
    /// What the activity type is, declared by the class itself: its type name, inputs, outputs, outcome ports, whether it
    /// starts workflows. The catalog that validation, import reports and <c>GET /v1/activity-types</c> read is built from these.
    /// </summary>
    public abstract ActivityDescriptor Descriptor { get; }

    /// <summary>The Elsa type name, e.g. <c>Elsa.FlowDecision</c> or <c>Hub.ESign.SendForSignature</c>.</summary>
    public string Type => Descriptor.Type;

    /// <summary>
    /// True for activities that change something outside the instance (a signature request, an email, an HTTP call):
    /// the runtime commits the instance right after them, so a crash never repeats a completed side effect.
    /// </summary>
    public virtual bool HasSideEffects => false;

    /// <summary>Attempts when the activity throws <see cref="ActivityFailure"/> with Retryable set (activities may override per definition).</summary>
    public virtual RetryPolicy DefaultRetry => RetryPolicy.None;

    public abstract ValueTask<ActivityResult> ExecuteAsync(ActivityContext context);

    /// <summary>Called when one of the activity's bookmarks is resumed; by default the activity is done.</summary>
    public virtual ValueTask<ActivityResult> ResumeAsync(ActivityContext context, Bookmark bookmark, IReadOnlyDictionary<string, object?> payload) =>
        ValueTask.FromResult(ActivityResult.Done);

    /// <summary>
    /// Called when a body this activity started (<see cref="ActivityContext.StartBody"/>) has nothing left to do: start another
    /// (a loop's next iteration) and return <see cref="ActivityResult.Running"/>, or go on through outcome ports.
    /// </summary>
    public virtual ValueTask<ActivityResult> OnBodyCompletedAsync(ActivityContext context) => ValueTask.FromResult(ActivityResult.Done);

    /// <summary>True for loops an Elsa.Break inside their body ends (ForEach, While), as Elsa's BreakBehavior.</summary>
    public virtual bool EndsOnBreak => false;
}

/// <summary>What an activity did: go on through outcome ports, wait, or finish the workflow.</summary>
public sealed class ActivityResult
{
    private enum Kind { Outcomes, Wait, Running, Finish, FinishWorkflow, Break }

    private readonly Kind _kind;

    private ActivityResult(Kind kind, IReadOnlyList<string> outcomes, IReadOnlyList<Bookmark> bookmarks) =>
        (_kind, Outcomes, Bookmarks) = (kind, outcomes, bookmarks);

    public IReadOnlyList<string> Outcomes { get; }
    public IReadOnlyList<Bookmark> Bookmarks { get; }
    public bool Suspends => _kind == Kind.Wait;

    /// <summary>The whole run ends now (Elsa.Complete), whatever flowchart the activity is in.</summary>
    public bool FinishesWorkflow => _kind == Kind.FinishWorkflow;

    /// <summary>The flowchart the activity is in ends now (Elsa's terminal nodes: End, Finish); in the root that is the run.</summary>
    public bool FinishesFlowchart => _kind == Kind.Finish;

    /// <summary>The activity started a body and waits for it (<see cref="WorkflowActivity.OnBodyCompletedAsync"/>).</summary>
    public bool IsRunning => _kind == Kind.Running;

    /// <summary>Elsa.Break: the nearest enclosing loop ends once what its body is doing is dropped.</summary>
    public bool Breaks => _kind == Kind.Break;

    public static readonly ActivityResult Done = new(Kind.Outcomes, [ActivityCatalog.DonePort], []);

    /// <summary>Continue through these outcome ports (none ends this path).</summary>
    public static ActivityResult Outcome(params IReadOnlyList<string> ports) => new(Kind.Outcomes, ports, []);

    /// <summary>Wait; <see cref="WorkflowActivity.ResumeAsync"/> runs when one of the bookmarks is resumed.</summary>
    public static ActivityResult Wait(params IReadOnlyList<Bookmark> bookmarks) => new(bookmarks.Count > 0 ? Kind.Wait : Kind.Outcomes, [], bookmarks);

    /// <summary>End the flowchart the activity is in (the run, in the root): whatever else it has scheduled or waiting is dropped.</summary>
    public static readonly ActivityResult Finish = new(Kind.Finish, [], []);

    /// <summary>End the whole run now, from any depth: whatever else is scheduled or waiting is dropped.</summary>
    public static readonly ActivityResult FinishWorkflow = new(Kind.FinishWorkflow, [], []);

    /// <summary>The activity runs a body it started; it continues when the body completes.</summary>
    public static readonly ActivityResult Running = new(Kind.Running, [], []);

    /// <summary>Break out of the nearest enclosing ForEach or While.</summary>
    public static readonly ActivityResult Break = new(Kind.Break, [], []);
}

/// <summary>
/// An activity could not do its work; the message is written for the workflow author. Retryable failures (a service
/// that was down) are attempted again by the retry policy; others fault the instance at once.
/// </summary>
public sealed class ActivityFailure(string message, bool retryable = false, Exception? inner = null) : Exception(message, inner)
{
    public bool Retryable { get; } = retryable;
}

/// <summary>Exponential backoff: attempt n waits InitialDelay × Coefficient^(n-1), at most MaxDelay.</summary>
public sealed record RetryPolicy(int MaxAttempts, TimeSpan InitialDelay, double Coefficient, TimeSpan MaxDelay)
{
    public static readonly RetryPolicy None = new(1, TimeSpan.Zero, 1, TimeSpan.Zero);

    /// <summary>Modelled on Logic Apps' default: 4 attempts, growing from 5 s, at most 1 min.</summary>
    public static readonly RetryPolicy External = new(4, TimeSpan.FromSeconds(5), 2, TimeSpan.FromMinutes(1));

    public TimeSpan DelayBefore(int nextAttempt)
    {
        var seconds = InitialDelay.TotalSeconds * Math.Pow(Coefficient, Math.Max(0, nextAttempt - 2));
        return TimeSpan.FromSeconds(Math.Min(seconds, MaxDelay.TotalSeconds));
    }
}
