using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ESign.Hub.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SealingIncidents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "SealingAttempts",
                table: "SignatureRequests",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "SealingError",
                table: "SignatureRequests",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "SealingIncidentAt",
                table: "SignatureRequests",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "SealingAttempts",
                table: "SignatureRequests");

            migrationBuilder.DropColumn(
                name: "SealingError",
                table: "SignatureRequests");

            migrationBuilder.DropColumn(
                name: "SealingIncidentAt",
                table: "SignatureRequests");
        }
    }
}
