using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ESign.Hub.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class GenericBookmarks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "Kind",
                table: "WorkflowBookmarks",
                newName: "Name");

            migrationBuilder.RenameIndex(
                name: "IX_WorkflowBookmarks_Kind_Key",
                table: "WorkflowBookmarks",
                newName: "IX_WorkflowBookmarks_Name_Key");

            migrationBuilder.AddColumn<string>(
                name: "Payload",
                table: "WorkflowBookmarks",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Payload",
                table: "WorkflowBookmarks");

            migrationBuilder.RenameColumn(
                name: "Name",
                table: "WorkflowBookmarks",
                newName: "Kind");

            migrationBuilder.RenameIndex(
                name: "IX_WorkflowBookmarks_Name_Key",
                table: "WorkflowBookmarks",
                newName: "IX_WorkflowBookmarks_Kind_Key");
        }
    }
}
