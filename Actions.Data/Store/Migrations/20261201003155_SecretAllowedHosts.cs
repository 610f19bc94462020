using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Actions.Data.Store.Migrations
{
    /// <inheritdoc />
    public partial class SecretAllowedHosts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AllowedHosts",
                table: "Secrets",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AllowedHosts",
                table: "Secrets");
        }
    }
}
