namespace ESign.Hub.Workflows.Definitions;

/// <summary>The JSON Schema (draft 2020-12) of the hub's Elsa-3-shaped definition format, to publish as-is.</summary>
public static class WorkflowSchema
{
    public const string Id = "https://esign-hub.local/schemas/workflow-definition/v1/schema.json";
    private const string ResourceName = "ESign.Hub.Workflows.workflow-definition.schema.json";

    private static readonly Lazy<string> Text = new(() =>
    {
        using var stream = typeof(WorkflowSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static string Json => Text.Value;
}
