using ESign.Hub.Auth;
using ESign.Hub.Workflows.Runtime;

namespace ESign.Hub.Workflows.Activities;

/// <summary>
/// What a run may do in the hub. <c>workflows:manage</c> lets a credential define and start workflows, not everything a
/// workflow can do: a run acts with the scopes of the credential that started it (for a run a trigger started, those of
/// the credential that published the version), and each of the hub's activities needs the scope its API endpoint needs.
/// </summary>
internal static class RunPermissions
{
    /// <summary>The run's caller (account, mode, scopes); the activity fails with an incident naming the scope it lacks.</summary>
    public static Caller Require(ActivityContext context, string scope, string action)
    {
        var caller = context.Services.GetRequiredService<TenantScope>().Caller
            ?? throw new InvalidOperationException("A workflow activity runs without the run's caller.");
        if (caller.Has(scope)) return caller;
        var held = caller.Scopes.Count == 0 ? "no scopes" : $"'{Scopes.Join(caller.Scopes)}'";
        throw new ActivityFailure(
            $"this run may not {action}: it needs the scope '{scope}' and acts with {held} (the scopes of the credential that started " +
            "the run, or for a run a trigger started, of the credential that published the workflow). Start the run, or publish the " +
            $"workflow, with a credential that has '{scope}'.");
    }
}
