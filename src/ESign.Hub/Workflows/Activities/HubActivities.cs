using ESign.Hub.Workflows.Runs;
using ESign.Hub.Workflows.Runtime;

namespace ESign.Hub.Workflows.Activities;

/// <summary>The hub's own activities (documents, signing, email, outbound HTTP): this module's registration.</summary>
public static class HubActivities
{
    public static IServiceCollection AddHubActivities(this IServiceCollection services)
    {
        services.AddActivity<GenerateDocumentActivity>().AddActivity<SendForSignatureActivity>().AddActivity<WaitForSignatureActivity>()
            .AddActivity<SendEmailActivity>().AddActivity<ElsaSendEmailActivity>().AddActivity<SendHttpRequestActivity>();
        services.AddSingleton<IBookmarkSource, SignatureRequestEnded>();
        return services;
    }
}
