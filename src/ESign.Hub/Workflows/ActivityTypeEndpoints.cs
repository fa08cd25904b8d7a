using ESign.Hub.Auth;
using ESign.Hub.Hosting;
using ESign.Hub.Workflows.Definitions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ESign.Hub.Workflows;

public sealed record ActivityInputResponse(
    string Name, string Type, string Description, bool Required, object? Default, InputUiHint UiHint, IReadOnlyList<string>? Options);

public sealed record ActivityOutputResponse(string Name, string Type, string Description);

/// <summary>
/// An activity's outcome ports: <c>ports</c> always exist; when <c>computed_from</c> names inputs, more ports come from
/// those inputs' values (one per expected status code, per case), as <c>description</c> says.
/// </summary>
public sealed record ActivityOutcomesResponse(IReadOnlyList<string> Ports, bool Computed, IReadOnlyList<string> ComputedFrom, string? Description);

/// <summary>One registered activity type, as a designer's palette and API users see it.</summary>
public sealed record ActivityTypeResponse(
    string Type, string Category, string DisplayName, string Description,
    IReadOnlyList<ActivityInputResponse> Inputs, IReadOnlyList<ActivityOutputResponse> Outputs, ActivityOutcomesResponse Outcomes,
    bool IsTrigger, string? TriggerKind, string? WaitsFor, SupportLevel Support, string Note)
{
    public static ActivityTypeResponse From(ActivityDescriptor d) => new(
        d.Type, d.Category, d.DisplayName, d.Description,
        [.. d.Inputs.Select(i => new ActivityInputResponse(i.Name, i.Type, i.Description, i.Required, i.Default, i.UiHint, i.Options))],
        [.. d.Outputs.Select(o => new ActivityOutputResponse(o.Name, o.Type, o.Description))],
        new ActivityOutcomesResponse(d.Outcomes.Ports, d.Outcomes.IsComputed, d.Outcomes.ComputedFrom, d.Outcomes.Description),
        d.IsTrigger, d.Trigger?.Kind, d.WaitsFor, d.Support, d.Note);
}

/// <summary><c>GET /v1/activity-types</c>: every activity this hub can run, read from what its modules registered.</summary>
public static class ActivityTypeEndpoints
{
    public static IEndpointRouteBuilder MapActivityTypeEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/activity-types", List).WithTags("Workflows").RequireScope(Scopes.WorkflowsManage).ProducesAuthProblems()
            .WithName("ListActivityTypes")
            .WithSummary("Every activity type the hub runs: type, category, inputs (with UI hints), outputs, outcome ports, trigger, Elsa support");
        return app;
    }

    private static Ok<ListResponse<ActivityTypeResponse>> List(ActivityCatalog catalog) =>
        TypedResults.Ok(new ListResponse<ActivityTypeResponse>([.. catalog.All.Select(ActivityTypeResponse.From)], false, null));
}
