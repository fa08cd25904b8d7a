using System.Reflection;

namespace ESign.Hub.Benchmarks;

/// <summary>Finds the hub assembly that the ProjectReference built next to this benchmark, in the same configuration.</summary>
public static class HubLocator
{
    private const string SolutionFile = "ESign.Hub.sln";

    public static string FindHubAssembly()
    {
        var repoRoot = FindRepoRoot();
        var configuration = BuildConfiguration();
        var dll = Path.Combine(repoRoot, "src", "ESign.Hub", "bin", configuration, "net10.0", "ESign.Hub.dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException(
                $"The hub is not built at {dll}. Build it with 'dotnet build -c {configuration} src/ESign.Hub' (dotnet run builds it too).", dll);
        return dll;
    }

    /// <summary>Walks up from the benchmark's output folder; the solution file marks the repository root.</summary>
    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
                return dir.FullName;
        throw new DirectoryNotFoundException($"No {SolutionFile} found above {AppContext.BaseDirectory}.");
    }

    /// <summary>The configuration this benchmark was built in, stamped by the csproj's AssemblyMetadata item.</summary>
    public static string BuildConfiguration() =>
        typeof(HubLocator).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "BuildConfiguration")?.Value
        ?? throw new InvalidOperationException("The benchmark assembly lacks its BuildConfiguration metadata.");
}
