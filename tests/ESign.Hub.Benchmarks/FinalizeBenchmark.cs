using BenchmarkDotNet.Attributes;
using ESign.Hub.Sealing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Benchmarks;

/// <summary>
/// The finalize mode: one <see cref="PdfSealer.SealAsync"/> (flatten the fields, append the audit certificate, sign)
/// of <see cref="FinalizeSample"/>'s 10-page document, in process. The self-signed certificate is generated in the
/// setup, into a temporary data directory, so key generation is not measured.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class FinalizeBenchmark
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "esign-hub-bench", Guid.NewGuid().ToString("N"));
    private SelfSignedCertificateSource? _certificates;
    private PdfSealer? _sealer;
    private SealInput? _input;

    [GlobalSetup]
    public void Setup()
    {
        _certificates = new SelfSignedCertificateSource(
            Path.Combine(_dataDirectory, "sealing"), NullLogger<SelfSignedCertificateSource>.Instance, TimeProvider.System);
        _sealer = new PdfSealer(_certificates, Options.Create(new SealingOptions()), Options.Create(new ESign.Hub.Hosting.HubOptions()));
        _input = FinalizeSample.Create();
    }

    [Benchmark(Description = "Finalize 10 pages, 12 fields, 30 events")]
    public Task<SealedPdf> Finalize() => _sealer!.SealAsync(_input!, CancellationToken.None);

    [GlobalCleanup]
    public void Cleanup()
    {
        _certificates?.Dispose();
        if (Directory.Exists(_dataDirectory)) Directory.Delete(_dataDirectory, recursive: true);
    }
}
