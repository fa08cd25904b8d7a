using ESign.Hub.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddHub();

var app = builder.Build();
app.UseHub();
await app.InitializeHubAsync();
await app.RunAsync();

/// <summary>Entry point; public so integration tests can host it with WebApplicationFactory.</summary>
public partial class Program;
