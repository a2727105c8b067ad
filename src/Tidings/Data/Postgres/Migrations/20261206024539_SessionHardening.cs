using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tidings.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class SessionHardening : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "max_token_lifetime_days",
                table: "businesses",
                type: "integer",
                nullable: false,
                // Existing businesses get the default that new ones get (Business.DefaultMaxTokenLifetimeDays).
                defaultValue: 90);

            migrationBuilder.AddColumn<string>(
                name: "ip_address",
                table: "api_tokens",
                type: "character varying(50)",
                maxLength: 50,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "user_agent",
                table: "api_tokens",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddCheckConstraint(
                name: "ck_businesses_token_lifetime",
                table: "businesses",
                sql: "max_token_lifetime_days >= 1 AND max_token_lifetime_days <= 365");

            migrationBuilder.CreateIndex(
                name: "ix_api_tokens_expiry",
                table: "api_tokens",
                columns: new[] { "business_id", "expires_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_businesses_token_lifetime",
                table: "businesses");

            migrationBuilder.DropIndex(
                name: "ix_api_tokens_expiry",
                table: "api_tokens");

            migrationBuilder.DropColumn(
                name: "max_token_lifetime_days",
                table: "businesses");

            migrationBuilder.DropColumn(
                name: "ip_address",
                table: "api_tokens");

            migrationBuilder.DropColumn(
                name: "user_agent",
                table: "api_tokens");
        }
    }
}
