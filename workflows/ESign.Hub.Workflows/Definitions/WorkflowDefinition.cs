using System.Text.Json;
using System.Text.Json.Nodes;

namespace ESign.Hub.Workflows.Definitions;

/// <summary>
/// A workflow definition in Elsa 3's JSON shape with an <c>Elsa.Flowchart</c> root.
/// <see cref="Raw"/> is the document as read, so root fields we do not model (tenantId, toolVersion,
/// customProperties, …) survive a round trip through <see cref="WorkflowDefinitionWriter"/>.
/// </summary>
public sealed record WorkflowDefinition
{
    public string? Id { get; init; }
    public string? DefinitionId { get; init; }
    public string? Name { get; init; }
    public string? Description { get; init; }
    public int Version { get; init; } = 1;
    public IReadOnlyList<WorkflowVariable> Variables { get; init; } = [];

    /// <summary>Id of the <c>Elsa.Flowchart</c> root activity.</summary>
    public string? RootId { get; init; }
    public IReadOnlyList<ActivityNode> Activities { get; init; } = [];
    public IReadOnlyList<Connection> Connections { get; init; } = [];
    public JsonObject Raw { get; init; } = [];

    /// <summary>
    /// Flowcharts inside activities: an <c>Elsa.Flowchart</c> among the activities, or the <c>body</c> of a FlowNode, ForEach,
    /// ParallelForEach or While. Each has its own activities and connections; their activities are not in <see cref="Activities"/>.
    /// </summary>
    public IReadOnlyList<NestedFlowchart> Nested { get; init; } = [];

    /// <summary>The root's activities and those of every nested flowchart.</summary>
    public IEnumerable<ActivityNode> AllActivities => Activities.Concat(Nested.SelectMany(n => n.Activities));
}

/// <summary>
/// A flowchart that an activity runs (<see cref="OwnerId"/>): a nested <c>Elsa.Flowchart</c> (its own id) or an activity's
/// <c>body</c> (the body's id; a body that is a single activity is a flowchart of that one activity). <see cref="Path"/> is
/// the JSON path of its activities, for problems.
/// </summary>
public sealed record NestedFlowchart(string Id, string OwnerId, string Path, IReadOnlyList<ActivityNode> Activities, IReadOnlyList<Connection> Connections,
    string? NamedStart);

/// <summary>A workflow variable: <c>{ id, name, typeName, isArray, value }</c>.</summary>
public sealed record WorkflowVariable(string Id, string Name, string TypeName, bool IsArray, JsonElement? Value);

/// <summary>Designer position from <c>metadata.designer.position</c>.</summary>
public readonly record struct DesignerPosition(double X, double Y);

/// <summary>
/// An input in Elsa's <c>{ typeName, expression: { type, value } }</c> shape.
/// <see cref="ExpressionType"/> is Literal, Object, Variable, JavaScript, Liquid, CSharp, …
/// </summary>
public sealed record InputValue(string TypeName, string ExpressionType, JsonElement Value);

/// <summary>
/// One activity of the flowchart. <see cref="Raw"/> is the activity JSON as read; properties we do
/// not model (nodeId, runAsynchronously, outputs, cases, …) and whole unknown activity types are kept
/// there verbatim, like Elsa's NotFoundActivity keeps OriginalActivityJson.
/// </summary>
public sealed record ActivityNode
{
    public required string Id { get; init; }
    public required string Type { get; init; }
    public string? Name { get; init; }
    public int Version { get; init; } = 1;
    public bool CanStartWorkflow { get; init; }
    public DesignerPosition? Position { get; init; }
    public IReadOnlyDictionary<string, InputValue> Inputs { get; init; } = new Dictionary<string, InputValue>();
    public JsonObject Raw { get; init; } = [];

    /// <summary>"activity 'send1' (Hub.ESign.SendForSignature)" – how problems and reports name it.</summary>
    public string Label => $"activity '{Id}' ({Type})";
}

/// <summary>A flowchart edge from an outcome port of one activity to an inbound port of another.</summary>
public sealed record Connection(string SourceActivity, string SourcePort, string TargetActivity, string TargetPort)
{
    /// <summary>The connection JSON as read (keeps <c>vertices</c>); null for connections built in code.</summary>
    public JsonObject? Raw { get; init; }
}

/// <summary>A problem found while reading or validating; <see cref="Path"/> is a JSON path into the document.</summary>
public sealed record WorkflowProblem(string Path, string Message, string? ActivityId = null)
{
    public override string ToString() => $"{Path}: {Message}";
}
