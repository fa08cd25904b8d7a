using Microsoft.EntityFrameworkCore.Migrations;

namespace ESign.Hub.Storage.Migrations;

/// <summary>
/// Data for the columns the TestLiveSeparation migration adds, on either provider (quoted identifiers, no literals of
/// provider-specific types). Rows that belong to a parent take the parent's mode; what the hub cannot know is set to the
/// safe side, and the migration's callers document it.
/// </summary>
internal static class TestLiveSeparationBackfill
{
    public static void Apply(MigrationBuilder migration)
    {
        // A workflow's versions live in one mode. Before, only publishing set a version's mode (drafts stayed live), so a
        // test key's drafts would have become visible to live keys: every version takes the mode of the definition's
        // latest published version. A definition that was never published cannot say its mode and stays live.
        migration.Sql("""
            UPDATE "Workflows" SET "TestMode" = (SELECT p."TestMode" FROM "Workflows" p
                WHERE p."AccountId" = "Workflows"."AccountId" AND p."DefinitionId" = "Workflows"."DefinitionId" AND p."Status" = 'Published'
                ORDER BY p."Version" DESC LIMIT 1)
            WHERE EXISTS (SELECT 1 FROM "Workflows" p
                WHERE p."AccountId" = "Workflows"."AccountId" AND p."DefinitionId" = "Workflows"."DefinitionId" AND p."Status" = 'Published');
            """);
        // Children of a signature request live in the request's mode.
        foreach (var table in new[] { "Signers", "SignatureFields", "RequestEvents", "RequestMetadata", "SigningSessions", "OutboundEmails" })
            migration.Sql($"""
                UPDATE "{table}" SET "TestMode" = (SELECT r."TestMode" FROM "SignatureRequests" r WHERE r."Id" = "{table}"."SignatureRequestId")
                WHERE EXISTS (SELECT 1 FROM "SignatureRequests" r WHERE r."Id" = "{table}"."SignatureRequestId");
                """);
        migration.Sql("""
            UPDATE "TemplateVersions" SET "TestMode" = (SELECT t."TestMode" FROM "Templates" t WHERE t."Id" = "TemplateVersions"."TemplateId")
            WHERE EXISTS (SELECT 1 FROM "Templates" t WHERE t."Id" = "TemplateVersions"."TemplateId");
            """);
        foreach (var table in new[] { "WebhookDeliveries", "WebhookAttempts" })
            migration.Sql($"""
                UPDATE "{table}" SET "TestMode" = (SELECT w."TestMode" FROM "WebhookEndpoints" w WHERE w."Id" = "{table}"."EndpointId")
                WHERE EXISTS (SELECT 1 FROM "WebhookEndpoints" w WHERE w."Id" = "{table}"."EndpointId");
                """);
        foreach (var table in new[] { "WorkflowBookmarks", "WorkflowJournal" })
            migration.Sql($"""
                UPDATE "{table}" SET "TestMode" = (SELECT r."TestMode" FROM "WorkflowRuns" r WHERE r."Id" = "{table}"."RunId")
                WHERE EXISTS (SELECT 1 FROM "WorkflowRuns" r WHERE r."Id" = "{table}"."RunId");
                """);
        // An API call is in the mode of the key or OAuth client that made it.
        migration.Sql("""
            UPDATE "AuditEvents" SET "TestMode" = COALESCE(
                (SELECT k."TestMode" FROM "ApiKeys" k WHERE k."Id" = "AuditEvents"."CredentialId"),
                (SELECT c."TestMode" FROM "OAuthClients" c WHERE c."Id" = "AuditEvents"."CredentialId"),
                "TestMode");
            """);
        // Who published a version, and with which scopes, was not recorded before: shipped files act with every scope (the
        // operator installed them); other workflows keep workflows:manage only, so their runs fault naming the scope they
        // lack until the workflow is published again by a credential that holds it. Runs follow their version.
        migration.Sql("""
            UPDATE "Workflows" SET "PublisherScopes" = CASE WHEN "FileHash" IS NULL THEN 'workflows:manage' ELSE 'admin' END
            WHERE "Status" = 'Published';
            """);
        migration.Sql("""
            UPDATE "WorkflowRuns" SET "Scopes" = CASE WHEN EXISTS (
                SELECT 1 FROM "Workflows" w WHERE w."Id" = "WorkflowRuns"."WorkflowVersionId" AND w."FileHash" IS NOT NULL)
                THEN 'admin' ELSE 'workflows:manage' END;
            """);
    }
}
