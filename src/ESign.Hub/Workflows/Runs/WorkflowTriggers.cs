using ESign.Hub.Hosting;
using ESign.Hub.Storage;
using ESign.Hub.Workflows.Definitions;
using ESign.Hub.Workflows.Expressions;
using ESign.Hub.Workflows.Runtime;
using ESign.Hub.Workflows.Runtime.Activities;
using Microsoft.EntityFrameworkCore;

namespace ESign.Hub.Workflows.Runs;

/// <summary>
/// The triggers of published versions: which HTTP paths, event names and schedules start which workflow. A trigger is
/// an activity whose descriptor declares how it is indexed (<see cref="ActivityDescriptor.Trigger"/>: http, event, timer
/// or cron, keyed by one of its inputs), marked canStartWorkflow or with nothing leading into it. Publishing replaces the
/// definition's triggers with the new version's.
/// </summary>
public static class WorkflowTriggers
{
    /// <summary>The trigger rows of a version, or the problems that stop it from being published (each names its activity).</summary>
    public static (List<WorkflowTrigger> Triggers, ValidationErrors Problems) Index(StoredWorkflow version, WorkflowDefinition definition,
        ActivityCatalog catalog, DateTime now)
    {
        var problems = new ValidationErrors();
        var triggers = new List<WorkflowTrigger>();
        var targets = definition.Connections.Select(c => c.TargetActivity).ToHashSet(StringComparer.Ordinal);
        var evaluator = new ExpressionEvaluator();
        var positions = definition.Activities.Select((a, i) => (a, i)).ToDictionary(p => (object)p.a, p => p.i, ReferenceEqualityComparer.Instance);
        foreach (var activity in definition.Activities.Where(a => (a.CanStartWorkflow || !targets.Contains(a.Id)) && TriggerOf(catalog, a) is not null))
        {
            var trigger = TriggerOf(catalog, activity)!;
            // The validator's convention: the activity's index in root.activities (its label names it).
            var at = $"$.root.activities[{positions[activity]}]";
            string? Text(string input)
            {
                if (!activity.Inputs.TryGetValue(input, out var value)) return null;
                try
                {
                    return evaluator.Evaluate(value, new ExpressionScope(), CancellationToken.None) switch
                    {
                        null => null,
                        string s => s,
                        var other => Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture),
                    };
                }
                catch (ExpressionProblem e)
                {
                    problems.Add(at, $"{activity.Label}: '{input}' of a trigger must be known when the workflow is published: {e.Message}");
                    return null;
                }
            }

            WorkflowTrigger New(string kind, string key, string? methods = null, DateTime? next = null) => new()
            {
                Id = Ids.New("wft"), AccountId = version.AccountId, DefinitionId = version.DefinitionId, WorkflowVersionId = version.Id,
                ActivityId = activity.Id, Kind = kind, Key = key, Methods = methods, TestMode = version.TestMode, NextRunAt = next,
            };

            switch (trigger.Kind)
            {
                case ActivityTrigger.Http when Text(trigger.KeyInput) is { Length: > 0 } path:
                    var normalized = HttpPaths.Normalize(path);
                    if (PathProblem(normalized) is { } wrong) problems.Add(at, $"{activity.Label}: path '{path}' {wrong}");
                    triggers.Add(New(ActivityTrigger.Http, normalized, string.Join(',', HttpMethods(activity))));
                    break;
                case ActivityTrigger.Event when Text(trigger.KeyInput) is { Length: > 0 } name:
                    triggers.Add(New(ActivityTrigger.Event, name));
                    break;
                case ActivityTrigger.Timer when Text(trigger.KeyInput) is { } interval:
                    if (Durations.Parse(interval) is not { } span || span < TimerInputs.MinimumTriggerInterval)
                        problems.Add(at, $"{activity.Label}: interval '{interval}' must be a duration of at least {TimerInputs.MinimumTriggerInterval.TotalSeconds:0} s.");
                    else triggers.Add(New(ActivityTrigger.Timer, interval, next: now + span));
                    break;
                case ActivityTrigger.Cron when Text(trigger.KeyInput) is { } cron:
                    try
                    {
                        // A schedule that parses but never comes (30 February) would publish a trigger that never fires.
                        if (TimerInputs.NextOccurrence(cron, now) is { } next) triggers.Add(New(ActivityTrigger.Cron, cron, next: next));
                        else problems.Add(at, $"{activity.Label}: cron expression '{cron}' never occurs.");
                    }
                    catch (ActivityFailure e)
                    {
                        problems.Add(at, $"{activity.Label}: {e.Message}");
                    }
                    break;
            }
        }
        triggers.AddRange(WaitingEndpoints(version, definition, catalog, triggers));
        return (triggers, problems);
    }

    private static ActivityTrigger? TriggerOf(ActivityCatalog catalog, ActivityNode activity) => catalog.Find(activity.Type)?.Trigger;

    /// <summary>
    /// HTTP endpoints (Elsa.HttpEndpoint) reached inside the flowchart whose path is a literal: the version owns those paths too
    /// ("http-wait"), so no other account can publish a workflow that answers there and receive this one's callers.
    /// Paths computed while running (an approval URL with the run's id in it) cannot be known here and are not owned.
    /// </summary>
    private static IEnumerable<WorkflowTrigger> WaitingEndpoints(StoredWorkflow version, WorkflowDefinition definition, ActivityCatalog catalog,
        List<WorkflowTrigger> triggers)
    {
        foreach (var endpoint in definition.Activities.Where(a => triggers.All(t => t.ActivityId != a.Id)))
        {
            if (TriggerOf(catalog, endpoint) is not { Kind: ActivityTrigger.Http } http) continue;
            if (!endpoint.Inputs.TryGetValue(http.KeyInput, out var path) || path.ExpressionType != "Literal"
                || path.Value.ValueKind != System.Text.Json.JsonValueKind.String) continue;
            var key = HttpPaths.Normalize(path.Value.GetString()!);
            if (key.Length == 0) continue;
            yield return new WorkflowTrigger
            {
                Id = Ids.New("wft"), AccountId = version.AccountId, DefinitionId = version.DefinitionId, WorkflowVersionId = version.Id,
                ActivityId = endpoint.Id, Kind = HttpWait, Key = key, Methods = string.Join(',', HttpMethods(endpoint)), TestMode = version.TestMode,
            };
        }
    }

    /// <summary>
    /// Why a trigger path cannot be published, or null: literal segments of letters, digits, '-', '_' and '.', and plain
    /// route parameters as whole segments ({userId}). Catch-all ({*rest}), optional ({id?}), default ({id=1}) and
    /// constrained ({id:int}) parameters are refused rather than half supported: a catch-all would answer paths other
    /// workflows and waiting runs answer, and constraints would only be checked by whoever remembered to.
    /// </summary>
    private static string? PathProblem(string normalized)
    {
        const string shape = "must be 1 to 200 letters, digits, '/', '-', '_' or '.', with route parameters as whole segments ('users/{userId}').";
        if (normalized.Length is 0 or > 200) return shape;
        foreach (var segment in normalized.Split('/'))
        {
            if (segment.StartsWith('{'))
            {
                if (!segment.EndsWith('}') || segment.Length < 3) return shape;
                var name = segment[1..^1];
                if (!(char.IsAsciiLetter(name[0]) || name[0] == '_') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                    return $"has the route parameter '{segment}': only plain parameters such as {{userId}} are supported " +
                        "(no catch-all '*', optional '?', default '=' or constraint ':'); check the value in the workflow instead.";
            }
            else if (segment.Length == 0 || !segment.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return shape;
            }
        }
        if (!HttpPaths.IsTemplate(normalized)) return null;
        try
        {
            Microsoft.AspNetCore.Routing.Template.TemplateParser.Parse(normalized);
            return null;
        }
        catch (ArgumentException e)
        {
            return $"is not a route template: {e.Message}";
        }
    }

    /// <summary>
    /// True when some path matches both templates: as many segments, and at each one a parameter on either side or the same
    /// literal (literals are lower case once normalized). Only plain parameters are published, so this is exact.
    /// </summary>
    private static bool Overlap(string template, string other)
    {
        var (a, b) = (template.Split('/'), other.Split('/'));
        return a.Length == b.Length && a.Zip(b).All(p => p.First.StartsWith('{') || p.Second.StartsWith('{') || p.First == p.Second);
    }

    /// <summary>Kind of a row that owns an HTTP path a run waits at (not a trigger: nothing starts there).</summary>
    public const string HttpWait = "http-wait";

    /// <summary>Replaces the definition's triggers with the version's; an HTTP path another published workflow owns is a conflict.</summary>
    public static async Task<string?> ReplaceAsync(HubDbContext db, StoredWorkflow version, List<WorkflowTrigger> triggers, CancellationToken ct)
    {
        var own = triggers.Where(t => t.Kind == ActivityTrigger.Http && HttpPaths.IsTemplate(t.Key)).ToList();
        foreach (var (first, index) in own.Select((t, i) => (t, i)))
        {
            if (own.Skip(index + 1).FirstOrDefault(t => Overlap(first.Key, t.Key)) is { } second)
                return $"Activities '{first.ActivityId}' and '{second.ActivityId}' answer the same URLs (/workflows/http/{first.Key} and /workflows/http/{second.Key}); " +
                    "give them paths that cannot both match.";
        }
        // Other definitions' templates, read once: two templates that can match the same path conflict, whatever their parameters are called.
        var otherTemplates = own.Count == 0 ? [] : await db.WorkflowTriggers.IgnoreQueryFilters().AsNoTracking()
            .Where(t => t.Kind == ActivityTrigger.Http && t.Key.Contains("{")
                && !(t.AccountId == version.AccountId && t.TestMode == version.TestMode && t.DefinitionId == version.DefinitionId))
            .Select(t => new { t.AccountId, t.TestMode, t.DefinitionId, t.Key }).ToListAsync(ct);
        foreach (var http in triggers.Where(t => t.Kind is ActivityTrigger.Http or HttpWait))
        {
            // Paths are one namespace for the whole hub (the URL names no account and no mode): another definition, in this
            // account or any other, in either mode, that owns the path is a conflict. Definition ids are only unique within an
            // account and mode, so all three are compared.
            var owner = await db.WorkflowTriggers.IgnoreQueryFilters().AsNoTracking()
                .Where(t => (t.Kind == ActivityTrigger.Http || t.Kind == HttpWait) && t.Key == http.Key
                    && !(t.AccountId == version.AccountId && t.TestMode == version.TestMode && t.DefinitionId == version.DefinitionId))
                .Select(t => new { t.AccountId, t.TestMode, t.DefinitionId }).FirstOrDefaultAsync(ct);
            if (owner is null && http.Kind == ActivityTrigger.Http && HttpPaths.IsTemplate(http.Key))
                owner = otherTemplates.Where(t => Overlap(http.Key, t.Key)).Select(t => new { t.AccountId, t.TestMode, t.DefinitionId }).FirstOrDefault();
            if (owner is not null)
                return owner.AccountId == version.AccountId
                    ? $"Workflow '{owner.DefinitionId}'{(owner.TestMode == version.TestMode ? "" : $" ({(owner.TestMode ? "test" : "live")} mode)")} already answers at /workflows/http/{http.Key}; choose another path."
                    : $"Another account's workflow already answers at /workflows/http/{http.Key}; choose another path.";
        }
        var old = await db.WorkflowTriggers.Where(t => t.DefinitionId == version.DefinitionId).ToListAsync(ct);
        db.WorkflowTriggers.RemoveRange(old);
        db.WorkflowTriggers.AddRange(triggers);
        return null;
    }

    /// <summary>The methods an Elsa.HttpEndpoint accepts, upper case: its <c>supportedMethods</c>, GET when none are given (as in Elsa).</summary>
    public static IReadOnlyList<string> HttpMethods(ActivityNode endpoint)
    {
        var methods = ActivityCatalog.ListInput(endpoint, "supportedMethods").Select(m => m.Trim().ToUpperInvariant()).ToList();
        return methods.Count == 0 ? ["GET"] : methods;
    }

    /// <summary>When a schedule trigger fires next after firing now.</summary>
    public static DateTime? NextTime(WorkflowTrigger trigger, DateTime now) => trigger.Kind switch
    {
        ActivityTrigger.Timer when Durations.Parse(trigger.Key) is { } span && span >= TimerInputs.MinimumTriggerInterval => now + span,
        ActivityTrigger.Cron => TryNext(trigger.Key, now),
        _ => null,
    };

    private static DateTime? TryNext(string cron, DateTime now)
    {
        try
        {
            return TimerInputs.NextOccurrence(cron, now);
        }
        catch (ActivityFailure)
        {
            return null;
        }
    }
}
