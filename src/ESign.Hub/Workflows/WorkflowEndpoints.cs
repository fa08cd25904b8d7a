using System.Text.Json;
using System.Text.Json.Nodes;
using ESign.Hub.Auth;
using ESign.Hub.Hosting;
using ESign.Hub.Storage;
using ESign.Hub.Workflows.Children;
using ESign.Hub.Workflows.Definitions;
using ESign.Hub.Workflows.Runs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Workflows;

public sealed record WorkflowProblemResponse(string Path, string Message, string? ActivityId);

public sealed record WorkflowResponse(
    string DefinitionId, int Version, WorkflowVersionStatus Status, string? Name, DateTime CreatedAt, DateTime UpdatedAt, DateTime? PublishedAt,
    IReadOnlyList<WorkflowProblemResponse> Problems, JsonElement Definition);

public sealed record WorkflowSummary(string DefinitionId, int LatestVersion, int? PublishedVersion, string? Name, DateTime UpdatedAt);

public sealed record ValidationResponse(bool Valid, IReadOnlyList<WorkflowProblemResponse> Problems);

public sealed record ImportResponse(string DefinitionId, int Version, IReadOnlyList<ImportReportEntry> Report, IReadOnlyList<WorkflowProblemResponse> Problems);

/// <summary>
/// <c>/v1/workflows</c>: workflow definitions in Elsa 3's JSON shape, with drafts, versions and publishing, validation
/// and Elsa import. The body of create, update, validate and import is the definition JSON itself.
/// </summary>
public static class WorkflowEndpoints
{
    public static IEndpointRouteBuilder MapWorkflowEndpoints(this IEndpointRouteBuilder app)
    {
        var workflows = app.MapGroup("/v1/workflows").WithTags("Workflows").RequireScope(Scopes.WorkflowsManage).ProducesAuthProblems();
        workflows.MapGet("/", List).WithName("ListWorkflows").WithSummary("Every definition with its latest and published versions");
        workflows.MapPost("/", Create).WithName("CreateWorkflow").WithSummary("Save an Elsa-3-shaped definition as a draft")
            .Accepts<JsonElement>("application/json").ProducesProblems(400, 409, 422);
        workflows.MapPost("/validate", Validate).WithName("ValidateWorkflow").WithSummary("Check a definition without saving it")
            .Accepts<JsonElement>("application/json").ProducesProblems(400, 422);
        workflows.MapPost("/import", Import).WithName("ImportWorkflow")
            .WithSummary("Save an Elsa 3 export, or an Elsa 2 definition converted to Elsa 3's shape, as a draft and report what runs: supported, degraded or unsupported, per activity and expression")
            .Accepts<JsonElement>("application/json").ProducesProblems(400, 409, 422);
        workflows.MapGet("/{definitionId}", Get).WithName("GetWorkflow").WithSummary("The newest version (?version=N for another)")
            .ProducesProblems(400, 404);
        workflows.MapPut("/{definitionId}", Update).WithName("UpdateWorkflow").WithSummary("Change the draft (a published version gets a new draft)")
            .Accepts<JsonElement>("application/json").ProducesProblems(400, 404, 422);
        workflows.MapPost("/{definitionId}/publish", Publish).WithName("PublishWorkflow")
            .WithSummary("Publish the draft; it must pass validation").ProducesProblems(404, 409, 422);
        return app;
    }

    private static async Task<Ok<ListResponse<WorkflowSummary>>> List(HubDbContext db, CancellationToken ct)
    {
        var versions = await db.Workflows.AsNoTracking()
            .Select(w => new { w.DefinitionId, w.Version, w.Status, w.Name, w.UpdatedAt }).ToListAsync(ct);
        var summaries = versions.GroupBy(v => v.DefinitionId).Select(g =>
        {
            var latest = g.MaxBy(v => v.Version)!;
            var published = g.Where(v => v.Status == WorkflowVersionStatus.Published).Select(v => (int?)v.Version).Max();
            return new WorkflowSummary(g.Key, latest.Version, published, latest.Name, latest.UpdatedAt);
        }).OrderBy(s => s.DefinitionId, StringComparer.Ordinal).ToList();
        return TypedResults.Ok(new ListResponse<WorkflowSummary>(summaries, false, null));
    }

    private static async Task<IResult> Create(HttpRequest http, HubDbContext db, TenantScope tenant, ActivityCatalog catalog, TimeProvider clock,
        CancellationToken ct)
    {
        var (definition, problem) = await ReadAsync(http, ct);
        if (definition is null) return problem!;
        var definitionId = definition.DefinitionId ?? Ids.New("wf");
        if (await db.Workflows.AnyAsync(w => w.DefinitionId == definitionId, ct))
            return Problems.Conflict($"Workflow '{definitionId}' already exists; change it with PUT /v1/workflows/{definitionId}.");
        var stored = NewVersion(tenant.Caller!, definitionId, 1, definition, clock.GetUtcNow().UtcDateTime);
        db.Workflows.Add(stored);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/v1/workflows/{definitionId}", Describe(stored, definition, await CatalogFor(db, definition, catalog, ct)));
    }

    private static async Task<IResult> Validate(HttpRequest http, HubDbContext db, ActivityCatalog catalog, CancellationToken ct)
    {
        var (definition, problem) = await ReadAsync(http, ct);
        if (definition is null) return problem!;
        var problems = PublishReadiness.Problems(definition, await CatalogFor(db, definition, catalog, ct)).Select(ToResponse).ToList();
        return TypedResults.Ok(new ValidationResponse(problems.Count == 0, problems));
    }

    private static async Task<IResult> Import(HttpRequest http, HubDbContext db, TenantScope tenant, ActivityCatalog catalog, TimeProvider clock,
        CancellationToken ct)
    {
        var (json, unreadable) = await ReadBodyAsync(http, ct);
        if (json is null) return unreadable!;
        IReadOnlyList<ImportReportEntry> conversionNotes = [];
        if (Elsa2WorkflowConverter.IsElsa2(json))
        {
            var conversion = Elsa2WorkflowConverter.Convert(json);
            if (!conversion.Succeeded) return Invalid(conversion.Problems, "This Elsa 2 definition cannot be converted: ");
            json = conversion.Definition!.ToJsonString();
            conversionNotes = conversion.Notes;
        }
        var (definition, problem) = Parse(json);
        if (definition is null) return problem!;
        var definitionId = definition.DefinitionId ?? Ids.New("wf");
        var latest = await Latest(db, definitionId, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        StoredWorkflow stored;
        if (latest is { Status: WorkflowVersionStatus.Draft })
        {
            Replace(latest, definitionId, definition, now);
            stored = latest;
        }
        else
        {
            stored = NewVersion(tenant.Caller!, definitionId, (latest?.Version ?? 0) + 1, definition, now);
            db.Workflows.Add(stored);
        }
        await db.SaveChangesAsync(ct);
        catalog = await CatalogFor(db, definition, catalog, ct);
        var report = Elsa2WorkflowConverter.MergeReport(ImportReport.For(definition, catalog), conversionNotes);
        return TypedResults.Ok(new ImportResponse(definitionId, stored.Version, report,
            PublishReadiness.Problems(definition, catalog, report).Select(ToResponse).ToList()));
    }

    private static async Task<IResult> Get(string definitionId, HttpRequest http, HubDbContext db, ActivityCatalog catalog, CancellationToken ct)
    {
        StoredWorkflow? stored;
        if (http.Query["version"].FirstOrDefault() is { } text)
        {
            if (!int.TryParse(text, out var version) || version < 1) return Problems.BadRequest("version must be a number from 1.");
            stored = await db.Workflows.AsNoTracking().FirstOrDefaultAsync(w => w.DefinitionId == definitionId && w.Version == version, ct);
        }
        else
        {
            stored = await Latest(db, definitionId, ct);
        }
        if (stored is null) return Problems.NotFound("workflow", definitionId);
        var definition = WorkflowDefinitionReader.Read(stored.Json).Definition!;
        return TypedResults.Ok(Describe(stored, definition, await CatalogFor(db, definition, catalog, ct)));
    }

    private static async Task<IResult> Update(string definitionId, HttpRequest http, HubDbContext db, TenantScope tenant, ActivityCatalog catalog,
        TimeProvider clock, CancellationToken ct)
    {
        var latest = await Latest(db, definitionId, ct);
        if (latest is null) return Problems.NotFound("workflow", definitionId);
        var (definition, problem) = await ReadAsync(http, ct);
        if (definition is null) return problem!;
        var now = clock.GetUtcNow().UtcDateTime;
        catalog = await CatalogFor(db, definition, catalog, ct);
        if (latest.Status == WorkflowVersionStatus.Draft)
        {
            Replace(latest, definitionId, definition, now);
            await db.SaveChangesAsync(ct);
            return TypedResults.Ok(Describe(latest, definition, catalog));
        }
        var draft = NewVersion(tenant.Caller!, definitionId, latest.Version + 1, definition, now);
        db.Workflows.Add(draft);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(Describe(draft, definition, catalog));
    }

    private static async Task<IResult> Publish(string definitionId, HubDbContext db, TenantScope tenant, ActivityCatalog catalog, TimeProvider clock,
        HttpRouteTemplates templates, CancellationToken ct)
    {
        var latest = await Latest(db, definitionId, ct);
        if (latest is null) return Problems.NotFound("workflow", definitionId);
        if (latest.Status == WorkflowVersionStatus.Published)
            return Problems.Conflict($"Version {latest.Version} of '{definitionId}' is already published; change it with PUT to make a new draft.");
        var definition = WorkflowDefinitionReader.Read(latest.Json).Definition!;
        // A workflow used as an activity is known only when its definition is published in this account.
        catalog = await CatalogFor(db, definition, catalog, ct);
        var problems = PublishReadiness.Problems(definition, catalog);
        if (problems.Count > 0)
        {
            var errors = new ValidationErrors();
            foreach (var p in problems) errors.Add(p.Path, p.Message);
            return Problems.Invalid(errors);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        // Runs its triggers start act with what the publisher may do, no more (a workflows:manage key cannot send mail
        // or requests through a trigger-started run unless it also holds those scopes).
        latest.PublisherScopes = Scopes.Join(tenant.Caller!.Scopes);
        var (triggers, triggerProblems) = WorkflowTriggers.Index(latest, definition, catalog, now);
        if (triggerProblems.Any) return Problems.Invalid(triggerProblems);
        if (await WorkflowTriggers.ReplaceAsync(db, latest, triggers, ct) is { } conflict) return Problems.Conflict(conflict);
        latest.Status = WorkflowVersionStatus.Published;
        latest.PublishedAt = latest.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        templates.Invalidate();
        return TypedResults.Ok(Describe(latest, definition, catalog));
    }

    /// <summary>The request body as a definition, or a 400/422 problem saying what is wrong with it.</summary>
    private static async Task<(WorkflowDefinition? Definition, IResult? Problem)> ReadAsync(HttpRequest http, CancellationToken ct)
    {
        var (json, unreadable) = await ReadBodyAsync(http, ct);
        if (json is null) return (null, unreadable);
        if (Elsa2WorkflowConverter.IsElsa2(json))
            return (null, Invalid([new("$", "This is an Elsa 2 definition: send it to POST /v1/workflows/import, which converts it to Elsa 3's shape.")]));
        return Parse(json);
    }

    private static async Task<(string? Json, IResult? Problem)> ReadBodyAsync(HttpRequest http, CancellationToken ct)
    {
        if (!http.HasJsonContentType()) return (null, TypedResults.Problem(statusCode: 415, detail: "Send the workflow definition as application/json."));
        using var reader = new StreamReader(http.Body);
        return (await reader.ReadToEndAsync(ct), null);
    }

    private static (WorkflowDefinition? Definition, IResult? Problem) Parse(string json)
    {
        var result = WorkflowDefinitionReader.Read(json);
        return result.Definition is not null ? (result.Definition, null) : (null, Invalid(result.Problems));
    }

    private static IResult Invalid(IReadOnlyList<WorkflowProblem> problems, string prefix = "")
    {
        var errors = new ValidationErrors();
        foreach (var p in problems) errors.Add(p.Path, prefix + p.Message);
        return Problems.Invalid(errors);
    }

    private static Task<ActivityCatalog> CatalogFor(HubDbContext db, WorkflowDefinition definition, ActivityCatalog catalog, CancellationToken ct) =>
        WorkflowsAsActivities.CatalogForAsync(db, definition, catalog, ct);

    private static Task<StoredWorkflow?> Latest(HubDbContext db, string definitionId, CancellationToken ct) =>
        db.Workflows.Where(w => w.DefinitionId == definitionId).OrderByDescending(w => w.Version).FirstOrDefaultAsync(ct);

    /// <summary>A new draft in the caller's account and mode (a definition lives in the mode it was created in).</summary>
    private static StoredWorkflow NewVersion(Caller caller, string definitionId, int version, WorkflowDefinition definition, DateTime now) => new()
    {
        Id = Ids.New("wfv"),
        AccountId = caller.AccountId,
        TestMode = caller.TestMode,
        DefinitionId = definitionId,
        Version = version,
        Status = WorkflowVersionStatus.Draft,
        Name = definition.Name,
        Json = Normalize(definition, definitionId, version),
        CreatedAt = now,
        UpdatedAt = now,
    };

    private static void Replace(StoredWorkflow draft, string definitionId, WorkflowDefinition definition, DateTime now)
    {
        draft.Json = Normalize(definition, definitionId, draft.Version);
        draft.Name = definition.Name;
        draft.UpdatedAt = now;
    }

    /// <summary>The stored JSON says which definition and version it is, whatever the body said.</summary>
    private static string Normalize(WorkflowDefinition definition, string definitionId, int version)
    {
        var json = WorkflowDefinitionWriter.ToJsonObject(definition);
        json["definitionId"] = definitionId;
        json["version"] = version;
        return json.ToJsonString();
    }

    private static WorkflowResponse Describe(StoredWorkflow stored, WorkflowDefinition definition, ActivityCatalog catalog) => new(
        stored.DefinitionId, stored.Version, stored.Status, stored.Name, stored.CreatedAt, stored.UpdatedAt, stored.PublishedAt,
        PublishReadiness.Problems(definition, catalog).Select(ToResponse).ToList(), JsonDocument.Parse(stored.Json).RootElement.Clone());

    private static WorkflowProblemResponse ToResponse(WorkflowProblem p) => new(p.Path, p.Message, p.ActivityId);
}
