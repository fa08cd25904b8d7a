namespace ESign.Hub.Tests.Workflows;

/// <summary>
/// The real Elsa definitions in the shared folder (<c>../shared/elsa-corpus/</c> beside the repository; its README says
/// where each file comes from). They are read where they lie, never copied into the project.
/// </summary>
internal static class ElsaCorpus
{
    public static string Directory { get; } = Locate();

    public static IReadOnlyList<string> Files(string version) =>
        [.. System.IO.Directory.GetFiles(Path.Combine(Directory, version), "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    public static string Read(string version, string file) => File.ReadAllText(Path.Combine(Directory, version, file));

    public static byte[] Bytes(string version, string file) => File.ReadAllBytes(Path.Combine(Directory, version, file));

    private static string Locate()
    {
        // The repository root is the folder that holds ESign.Hub.sln, above the test binaries.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "ESign.Hub.sln"))) continue;
            var corpus = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "elsa-corpus"));
            if (System.IO.Directory.Exists(Path.Combine(corpus, "elsa3")) && System.IO.Directory.Exists(Path.Combine(corpus, "elsa2")))
                return corpus;
            throw new InvalidOperationException(
                $"The Elsa corpus is missing: expected {corpus}/elsa3 and elsa2 beside the repository at {dir.FullName} (the shared folder lies next to the checkout).");
        }
        throw new InvalidOperationException($"No ESign.Hub.sln above {AppContext.BaseDirectory}; cannot locate ../shared/elsa-corpus.");
    }
}
