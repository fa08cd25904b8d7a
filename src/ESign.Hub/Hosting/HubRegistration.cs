using Microsoft.Extensions.Options;
using ESign.Hub.Accounts;
using ESign.Hub.Audit;
using ESign.Hub.Auth;
using ESign.Hub.Documents;
using ESign.Hub.Generation;
using ESign.Hub.Email;
using ESign.Hub.Health;
using ESign.Hub.Idempotency;
using ESign.Hub.RateLimiting;
using ESign.Hub.Sealing;
using ESign.Hub.SignatureRequests;
using ESign.Hub.Signing;
using ESign.Hub.Storage;
using ESign.Hub.Templates;
using ESign.Hub.Webhooks;
using ESign.Hub.Workflows;
using ESign.Hub.Workflows.Runs;
using ESign.Hub.Workflows.Tasks;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace ESign.Hub.Hosting;

/// <summary>Composes the hub: <see cref="AddHub"/> registers every module, <see cref="UseHub"/> builds the pipeline.</summary>
public static class HubRegistration
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static WebApplicationBuilder AddHub(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // Signing tokens must never reach a log, whatever the log level (ASP.NET Core logs request paths at Information).
        services.RedactSigningUrlsInLogs();
        services.AddOptions<HubOptions>().BindConfiguration(HubOptions.Section)
            .Validate(o => o.MaxUploadBytes > 0, "Hub:MaxUploadBytes must be positive.")
            .Validate(o => o.Documents.MaxPages > 0 && o.Documents.MaxStreamDecompressedBytes > 0 && o.Documents.MaxDocumentDecompressedBytes > 0,
                "Hub:Documents limits must be positive.")
            .ValidateOnStart();
        var hub = builder.Configuration.GetSection(HubOptions.Section).Get<HubOptions>() ?? new HubOptions();

        // The embedded default listens on loopback only; --urls, ASPNETCORE_URLS or ASPNETCORE_HTTP_PORTS override it.
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"])
            && string.IsNullOrEmpty(builder.Configuration["https_ports"]))
            builder.WebHost.UseUrls(DefaultUrl);
        // RequestBodyLimitMiddleware limits every body the same way (see there). Kestrel's limit backs it up; the form
        // reader's own limit is set as far, so that it never fires first with an error of another kind.
        var serverLimit = RequestBodyLimitMiddleware.ServerBodyLimitBytes(hub.MaxUploadBytes);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = serverLimit);
        services.Configure<FormOptions>(o => o.MultipartBodyLengthLimit = serverLimit);

        services.AddSingleton(TimeProvider.System);
        services.ConfigureHttpJsonOptions(o => Json.Configure(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
            c.ProblemDetails.Extensions["trace_id"] = c.HttpContext.TraceIdentifier);
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "ESign.Hub API";
            document.Info.Description = "Signing API: documents, generation from templates, signature requests, embedded signing, webhooks, " +
                "API keys and OAuth clients; workflows in Elsa 3's JSON format with durable runs. " +
                "Authenticate with 'Authorization: Bearer <API key or OAuth access token>'. Errors are RFC 9457 problem+json.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer",
                Description = "An API key (esk_test_… / esk_live_…) or an access token from POST /oauth/token.",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] }];
            return Task.CompletedTask;
        }));

        builder.AddHubStorage();
        builder.AddHubAuth();
        builder.AddHubRateLimiting();
        services.AddSingleton<AuditLog>();
        services.AddHostedService<AuditWriter>();
        services.AddScoped<AccountProvisioning>();
        services.AddScoped<DocumentStore>();
        services.AddScoped<CreateSignatureRequest>();
        builder.AddPdfSealing();
        builder.AddSigning();
        builder.AddWebhooks();
        builder.AddDocumentGeneration();
        builder.AddWorkflows();
        return builder;
    }

    public static WebApplication UseHub(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(WriteBareStatusAsProblem);
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseRouting();
        app.UseMiddleware<AuditMiddleware>();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseMiddleware<IdempotencyMiddleware>();

        app.UseStaticFiles(new StaticFileOptions { FileProvider = app.Services.GetRequiredService<SigningAssets>().Files });
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/docs", o => o.WithTitle("ESign.Hub API").WithOpenApiRoutePattern("/openapi/{documentName}.json"))
            .AllowAnonymous();
        app.MapHealthEndpoints();
        app.MapApiKeyEndpoints();
        app.MapOAuthEndpoints();
        app.MapDocumentEndpoints();
        app.MapSignatureRequestEndpoints();
        app.MapTemplateEndpoints();
        app.MapAuditEndpoints();
        app.MapSigningEndpoints();
        app.MapWebhookEndpoints();
        app.MapAccountEndpoints();
        app.MapGenerationEndpoints();
        app.MapWorkflowEndpoints();
        app.MapWorkflowRunEndpoints();
        app.MapWorkflowTaskEndpoints();
        app.MapActivityTypeEndpoints();
        app.MapHttpTriggerEndpoint();
        if (!app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<EmailOptions>>().Value.UsesSmtp)
            app.MapDevOutbox();
        return app;
    }

    /// <summary>Responses that left the pipeline without a body (no such route, wrong method or media type) get a problem too.</summary>
    private static Task WriteBareStatusAsProblem(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var detail = http.Response.StatusCode switch
        {
            404 => $"Nothing answers at {http.Request.Method} {http.Request.Path}. The API reference is at /docs.",
            405 => $"{http.Request.Method} is not supported at {http.Request.Path}. The API reference is at /docs.",
            413 => ApiExceptionHandler.TooLargeDetail(http.RequestServices.GetRequiredService<IOptions<HubOptions>>().Value.MaxUploadBytes),
            415 => "This endpoint does not accept that content type. Send application/json (uploads also accept multipart/form-data).",
            _ => null,
        };
        return Results.Problem(statusCode: http.Response.StatusCode, detail: detail).ExecuteAsync(http);
    }

    /// <summary>
    /// Brings the database to the current schema (migrations, never EnsureCreated), loads the token signing key and
    /// creates the bootstrap or first-run account. Runs before the hub accepts requests.
    /// </summary>
    public static async Task InitializeHubAsync(this WebApplication app, CancellationToken ct = default)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        await db.Database.MigrateAsync(ct);
        var keys = app.Services.GetRequiredService<PlatformKeys>();
        await keys.InitializeAsync(db, ct);
        app.Services.GetRequiredService<AccessTokens>().Initialize(keys);

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ESign.Hub");
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HubOptions>>().Value;
        var accounts = scope.ServiceProvider.GetRequiredService<AccountProvisioning>();
        if (!string.IsNullOrEmpty(options.BootstrapApiKey))
        {
            if (await accounts.EnsureBootstrapKeyAsync(options.BootstrapApiKey, ct))
                logger.LogInformation("Created an account for the bootstrap API key (Hub:BootstrapApiKey).");
        }
        else if (!await accounts.AnyAccountAsync(ct))
        {
            var (_, key) = await accounts.CreateAccountAsync("Default account", testMode: true, ct);
            // Shown once, like every key: only its hash is stored.
            app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine(
                $"""

                 ESign.Hub is running for the first time. A test-mode admin API key was created for you:

                     {key}

                 It is shown only now. Try:  curl -H "Authorization: Bearer {key}" {(app.Urls.FirstOrDefault() ?? DefaultUrl)}/v1/signature-requests

                """));
        }
        await app.Services.GetRequiredService<WorkflowFiles>().LoadAsync(ct);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var url in app.Urls)
                logger.LogInformation("ESign.Hub API at {Url}/v1, reference at {Url}/docs, OpenAPI at {Url}/openapi/v1.json", url, url, url);
        });
    }
}
