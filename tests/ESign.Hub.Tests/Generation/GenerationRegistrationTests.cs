using ESign.Hub.Generation;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ESign.Hub.Tests.Generation;

public sealed class GenerationRegistrationTests
{
    [Fact]
    public async Task Missing_chromium_fails_at_startup()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["Hub:Chromium:Path"] = "/nonexistent/chromium";
        builder.AddDocumentGeneration();
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains("Hub:Chromium:Path", error.Message);
    }

    [Fact]
    public async Task Renderers_are_singletons_with_bound_options()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["Hub:Generation:PagePoolSize"] = "3";
        builder.AddDocumentGeneration();
        await using var app = builder.Build();

        Assert.Same(app.Services.GetRequiredService<TemplateRenderer>(), app.Services.GetRequiredService<TemplateRenderer>());
        Assert.Same(app.Services.GetRequiredService<PdfRenderer>(), app.Services.GetRequiredService<PdfRenderer>());
        Assert.Equal(3, app.Services.GetRequiredService<IOptions<GenerationOptions>>().Value.PagePoolSize);
    }
}
