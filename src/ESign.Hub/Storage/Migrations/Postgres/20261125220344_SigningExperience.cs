using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ESign.Hub.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SigningExperience : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "AccessCodeFailures",
                table: "Signers",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "AccessCodeHash",
                table: "Signers",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AccessTokenSealed",
                table: "Signers",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "Authentication",
                table: "Signers",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ConsentIpAddress",
                table: "Signers",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ConsentUserAgent",
                table: "Signers",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ConsentedAt",
                table: "Signers",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DeclineReason",
                table: "Signers",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "DeclinedAt",
                table: "Signers",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Initials",
                table: "Signers",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Signature",
                table: "Signers",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SignedIpAddress",
                table: "Signers",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SignedUserAgent",
                table: "Signers",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ViewedAt",
                table: "Signers",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "EscalatedAt",
                table: "SignatureRequests",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EscalationEmail",
                table: "SignatureRequests",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "NextReminderAt",
                table: "SignatureRequests",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "RemindersSent",
                table: "SignatureRequests",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "ScheduledAt",
                table: "SignatureRequests",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SignedDocumentSha256",
                table: "SignatureRequests",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "OutboundEmails",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    AccountId = table.Column<string>(type: "text", nullable: false),
                    SignatureRequestId = table.Column<string>(type: "text", nullable: true),
                    Kind = table.Column<string>(type: "text", nullable: false),
                    ToName = table.Column<string>(type: "text", nullable: false),
                    ToAddress = table.Column<string>(type: "text", nullable: false),
                    FromName = table.Column<string>(type: "text", nullable: false),
                    Subject = table.Column<string>(type: "text", nullable: false),
                    TextBody = table.Column<string>(type: "text", nullable: false),
                    HtmlBody = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    NextAttemptAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ClaimedUntil = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ClaimToken = table.Column<string>(type: "text", nullable: true),
                    SentAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    LastError = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OutboundEmails", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SigningSessions",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    AccountId = table.Column<string>(type: "text", nullable: false),
                    SignatureRequestId = table.Column<string>(type: "text", nullable: false),
                    SignerId = table.Column<string>(type: "text", nullable: false),
                    TokenHash = table.Column<string>(type: "text", nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    AccessCodeVerified = table.Column<bool>(type: "boolean", nullable: false),
                    Authentication = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UsedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SigningSessions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SignatureRequests_ScheduledAt",
                table: "SignatureRequests",
                column: "ScheduledAt");

            migrationBuilder.CreateIndex(
                name: "IX_OutboundEmails_AccountId_SignatureRequestId",
                table: "OutboundEmails",
                columns: new[] { "AccountId", "SignatureRequestId" });

            migrationBuilder.CreateIndex(
                name: "IX_OutboundEmails_SentAt_NextAttemptAt",
                table: "OutboundEmails",
                columns: new[] { "SentAt", "NextAttemptAt" });

            migrationBuilder.CreateIndex(
                name: "IX_SigningSessions_TokenHash",
                table: "SigningSessions",
                column: "TokenHash",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "OutboundEmails");

            migrationBuilder.DropTable(
                name: "SigningSessions");

            migrationBuilder.DropIndex(
                name: "IX_SignatureRequests_ScheduledAt",
                table: "SignatureRequests");

            migrationBuilder.DropColumn(
                name: "AccessCodeFailures",
                table: "Signers");

            migrationBuilder.DropColumn(
                name: "AccessCodeHash",
                table: "Signers");

            migrationBuilder.DropColumn(
                name: "AccessTokenSealed",
                table: "Signers");

            migrationBuilder.DropColumn(
                name: "Authentication",
                table: "Signers");

            migrationBuilder.DropColumn(
                name: "ConsentIpAddress",
                table: "Signers");

            migrationBuilder.DropColumn(
                name: "ConsentUserAgent",
                table: "Signers");

            migrationBuilder.DropColumn(
                name: "ConsentedAt",
                table: "Signers");

            migrationBuilder.DropColumn(
                name: "DeclineReason",
                table: "Signers");

            migrationBuilder.DropColumn(
                name: "DeclinedAt",
                table: "Signers");

            migrationBuilder.DropColumn(
                name: "Initials",
                table: "Signers");

            migrationBuilder.DropColumn(
                name: "Signature",
                table: "Signers");

            migrationBuilder.DropColumn(
                name: "SignedIpAddress",
                table: "Signers");

            migrationBuilder.DropColumn(
                name: "SignedUserAgent",
                table: "Signers");

            migrationBuilder.DropColumn(
                name: "ViewedAt",
                table: "Signers");

            migrationBuilder.DropColumn(
                name: "EscalatedAt",
                table: "SignatureRequests");

            migrationBuilder.DropColumn(
                name: "EscalationEmail",
                table: "SignatureRequests");

            migrationBuilder.DropColumn(
                name: "NextReminderAt",
                table: "SignatureRequests");

            migrationBuilder.DropColumn(
                name: "RemindersSent",
                table: "SignatureRequests");

            migrationBuilder.DropColumn(
                name: "ScheduledAt",
                table: "SignatureRequests");

            migrationBuilder.DropColumn(
                name: "SignedDocumentSha256",
                table: "SignatureRequests");
        }
    }
}
