using ESign.Hub.Generation;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Tests.Generation;

/// <summary>One warm Chromium shared by the PDF tests (they run one after another in this collection).</summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public TemplateRenderer Templates { get; } = new();

    public PdfRenderer Pdf { get; } = NewRenderer();

    public static PdfRenderer NewRenderer(int timeoutSeconds = 20, int pagePoolSize = 2) =>
        new(Options.Create(new GenerationOptions { RenderTimeoutSeconds = timeoutSeconds, PagePoolSize = pagePoolSize }),
            NullLogger<PdfRenderer>.Instance);

    public Task InitializeAsync() => Pdf.WarmUpAsync(CancellationToken.None);

    public async Task DisposeAsync() => await Pdf.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ChromiumCollection : ICollectionFixture<ChromiumFixture>
{
    public const string Name = "Chromium";
}
