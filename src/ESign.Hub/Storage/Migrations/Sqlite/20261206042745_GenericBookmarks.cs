using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ESign.Hub.Storage.Migrations.Sqlite
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
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // SQLite (3.35 and later) drops the column in place; EF's table rebuild would recreate the table from an older
            // model that lacks TestMode.
            migrationBuilder.Sql("""ALTER TABLE "WorkflowBookmarks" DROP COLUMN "Payload";""");

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
