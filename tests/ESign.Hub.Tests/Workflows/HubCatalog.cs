using ESign.Hub.Workflows.Activities;
using ESign.Hub.Workflows.Definitions;
using ESign.Hub.Workflows.Runtime.Activities;
using Microsoft.Extensions.DependencyInjection;

namespace ESign.Hub.Tests.Workflows;

/// <summary>The catalog the hub builds, from the same module registrations, for tests that read definitions without a hub.</summary>
internal static class HubCatalog
{
    public static ActivityCatalog Instance { get; } =
        new ServiceCollection().AddElsaActivities().AddHubActivities().BuildServiceProvider().GetRequiredService<ActivityCatalog>();
}
