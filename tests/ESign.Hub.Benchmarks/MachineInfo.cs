using System.Globalization;
using System.Runtime.InteropServices;

namespace ESign.Hub.Benchmarks;

/// <summary>The machine a result was measured on; numbers are meaningless without it.</summary>
public sealed record MachineInfo(string Processor, int Cores, string Memory, string OperatingSystem, string Runtime)
{
    public static MachineInfo Current() => new(
        ProcessorName(),
        Environment.ProcessorCount,
        TotalMemory(),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription);

    public override string ToString() => $"{Processor}, {Cores} cores, {Memory} RAM, {OperatingSystem}, {Runtime}";

    private static string ProcessorName()
    {
        var line = ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static string TotalMemory()
    {
        // "MemTotal:       8123456 kB" on Linux; elsewhere the GC's view of available memory is close enough.
        var line = ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var bytes = line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
            NumberStyles.None, CultureInfo.InvariantCulture, out var kb)
            ? kb * 1024
            : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.0} GiB");
    }

    private static IEnumerable<string> ReadLines(string path) => File.Exists(path) ? File.ReadLines(path) : [];
}
