using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Actions.Data.Store.PostgresMigrations
{
    /// <inheritdoc />
    public partial class ExecutionLogDraft : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "IsDraft",
                table: "ExecutionLog",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "IsDraft",
                table: "ExecutionLog");
        }
    }
}
