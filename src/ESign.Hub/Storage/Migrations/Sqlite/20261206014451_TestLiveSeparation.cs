using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ESign.Hub.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TestLiveSeparation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Workflows_AccountId_DefinitionId_Version",
                table: "Workflows");

            migrationBuilder.AddColumn<string>(
                name: "PublisherScopes",
                table: "Workflows",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Scopes",
                table: "WorkflowRuns",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<bool>(
                name: "TestMode",
                table: "WorkflowJournal",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "TestMode",
                table: "WorkflowBookmarks",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "TestMode",
                table: "WebhookDeliveries",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "TestMode",
                table: "WebhookAttempts",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "TestMode",
                table: "TemplateVersions",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "TestMode",
                table: "SigningSessions",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "TestMode",
                table: "Signers",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "TestMode",
                table: "SignatureFields",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "TestMode",
                table: "RequestMetadata",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "TestMode",
                table: "RequestEvents",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "TestMode",
                table: "OutboundEmails",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "TestMode",
                table: "IdempotencyRecords",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "TestMode",
                table: "AuditEvents",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            // The data first: on SQLite the primary key change rebuilds IdempotencyRecords, which EF wants after any SQL.
            TestLiveSeparationBackfill.Apply(migrationBuilder);

            migrationBuilder.DropPrimaryKey(
                name: "PK_IdempotencyRecords",
                table: "IdempotencyRecords");

            migrationBuilder.AddPrimaryKey(
                name: "PK_IdempotencyRecords",
                table: "IdempotencyRecords",
                columns: new[] { "AccountId", "TestMode", "Key" });

            migrationBuilder.CreateIndex(
                name: "IX_Workflows_AccountId_TestMode_DefinitionId_Version",
                table: "Workflows",
                columns: new[] { "AccountId", "TestMode", "DefinitionId", "Version" },
                unique: true);

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Workflows_AccountId_TestMode_DefinitionId_Version",
                table: "Workflows");

            migrationBuilder.DropPrimaryKey(
                name: "PK_IdempotencyRecords",
                table: "IdempotencyRecords");

            migrationBuilder.DropColumn(
                name: "PublisherScopes",
                table: "Workflows");

            migrationBuilder.DropColumn(
                name: "Scopes",
                table: "WorkflowRuns");

            migrationBuilder.DropColumn(
                name: "TestMode",
                table: "WorkflowJournal");

            migrationBuilder.DropColumn(
                name: "TestMode",
                table: "WorkflowBookmarks");

            migrationBuilder.DropColumn(
                name: "TestMode",
                table: "WebhookDeliveries");

            migrationBuilder.DropColumn(
                name: "TestMode",
                table: "WebhookAttempts");

            migrationBuilder.DropColumn(
                name: "TestMode",
                table: "TemplateVersions");

            migrationBuilder.DropColumn(
                name: "TestMode",
                table: "SigningSessions");

            migrationBuilder.DropColumn(
                name: "TestMode",
                table: "Signers");

            migrationBuilder.DropColumn(
                name: "TestMode",
                table: "SignatureFields");

            migrationBuilder.DropColumn(
                name: "TestMode",
                table: "RequestMetadata");

            migrationBuilder.DropColumn(
                name: "TestMode",
                table: "RequestEvents");

            migrationBuilder.DropColumn(
                name: "TestMode",
                table: "OutboundEmails");

            migrationBuilder.DropColumn(
                name: "TestMode",
                table: "IdempotencyRecords");

            migrationBuilder.DropColumn(
                name: "TestMode",
                table: "AuditEvents");

            migrationBuilder.AddPrimaryKey(
                name: "PK_IdempotencyRecords",
                table: "IdempotencyRecords",
                columns: new[] { "AccountId", "Key" });

            migrationBuilder.CreateIndex(
                name: "IX_Workflows_AccountId_DefinitionId_Version",
                table: "Workflows",
                columns: new[] { "AccountId", "DefinitionId", "Version" },
                unique: true);
        }
    }
}
