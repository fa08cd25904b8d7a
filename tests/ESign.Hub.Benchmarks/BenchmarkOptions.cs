using System.Globalization;

namespace ESign.Hub.Benchmarks;

/// <summary>
/// Command-line settings of a run. Every option has a default, so <c>api</c> or <c>webhooks</c> alone is a complete
/// command. <see cref="Rate"/> defaults to 300 requests/s for <c>api</c> and 550 for <c>webhooks</c> (2 events each, so ~1,100 events/s).
/// </summary>
public sealed record BenchmarkOptions(
    string Scenario,
    int Seconds,
    int Concurrency,
    int Rate,
    string Provider,
    string? Connection)
{
    public const string Usage =
        """
        Usage: dotnet run -c Release --project tests/ESign.Hub.Benchmarks -- api [options]
               dotnet run -c Release --project tests/ESign.Hub.Benchmarks -- webhooks [options]
               dotnet run -c Release --project tests/ESign.Hub.Benchmarks -- finalize [BenchmarkDotNet options]
               dotnet run -c Release --project tests/ESign.Hub.Benchmarks -- generate [--seconds <n>]
               dotnet run -c Release --project tests/ESign.Hub.Benchmarks -- workflows [--seconds <n>] [--warmup <n>] [--concurrency <n>] [--resumes <n>]

          --seconds <n>        length of each measured phase (default 10)
          --concurrency <n>    closed-loop workers in the max-throughput (api) or burst (webhooks) phase (default 32)
          --rate <n>           api: requests per second in the fixed-rate phase (default 300);
                               webhooks: requests created and canceled per second in the sustained phase (default 550)
          --provider <name>    sqlite (default) or postgres
          --connection <text>  Npgsql connection string; required with --provider postgres
        """;

    /// <summary>Parses the arguments or throws <see cref="ArgumentException"/> with a message meant for the user.</summary>
    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0] is not ("api" or "webhooks"))
            throw new ArgumentException("The first argument names the scenario: 'api', 'webhooks', 'finalize', 'generate' or 'workflows'.");

        var options = new BenchmarkOptions(args[0], Seconds: 10, Concurrency: 32, Rate: args[0] == "webhooks" ? 550 : 300,
            Provider: "sqlite", Connection: null);
        for (var i = 1; i < args.Count; i++)
        {
            var name = args[i];
            if (i + 1 >= args.Count) throw new ArgumentException($"Option '{name}' needs a value.");
            var value = args[++i];
            options = name switch
            {
                "--seconds" => options with { Seconds = PositiveInt(name, value) },
                "--concurrency" => options with { Concurrency = PositiveInt(name, value) },
                "--rate" => options with { Rate = PositiveInt(name, value) },
                "--provider" => options with { Provider = value.ToLowerInvariant() },
                "--connection" => options with { Connection = value },
                _ => throw new ArgumentException($"Unknown option '{name}'."),
            };
        }

        if (options.Provider is not ("sqlite" or "postgres"))
            throw new ArgumentException($"--provider must be 'sqlite' or 'postgres', not '{options.Provider}'.");
        if (options.Provider == "postgres" && string.IsNullOrWhiteSpace(options.Connection))
            throw new ArgumentException("--provider postgres needs --connection \"Host=…;Username=…;Password=…;Database=…\".");
        return options;
    }

    private static int PositiveInt(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"Option '{name}' needs a positive whole number, not '{value}'.");
}
