namespace ESign.Hub.Workflows.Runs;

/// <summary>Hub:Workflows settings.</summary>
public sealed class WorkflowOptions
{
    /// <summary>Folder of workflow definition files (*.json) loaded at start; relative paths are from the hub's folder.</summary>
    public string Directory { get; set; } = "workflows";

    /// <summary>How long a worker owns a run it is executing; another process takes the run over after this if the owner died.</summary>
    public int LeaseSeconds { get; set; } = 30;

    /// <summary>Runs one hub process executes at the same time.</summary>
    public int Concurrency { get; set; } = 4;

    /// <summary>How often the worker looks for due timers and runs that another process made runnable.</summary>
    public double PollSeconds { get; set; } = 1;

    /// <summary>
    /// Lets Elsa.FlowSendHttpRequest in test mode call http://localhost and 127.0.0.1, for developing against a local
    /// service. Off by default: a workflow reads the answers it gets, and the hub's own loopback-only pages (the dev
    /// outbox with every account's signing links) answer there.
    /// </summary>
    public bool AllowLoopbackHttp { get; set; }

    /// <summary>Runs an account's workflows may start per second through events they publish, before publishing faults.</summary>
    public int MaxEventRunStartsPerSecond { get; set; } = 50;

    /// <summary>How many runs in a row may start each other through published events, even where a trigger allows its own events.</summary>
    public int MaxEventChain { get; set; } = 16;

    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);
}
