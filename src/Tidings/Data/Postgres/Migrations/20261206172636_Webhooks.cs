using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tidings.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Webhooks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "webhooks",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    business_id = table.Column<Guid>(type: "uuid", nullable: false),
                    url = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    description = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    format = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    event_types = table.Column<string>(type: "jsonb", nullable: false),
                    min_relevance = table.Column<double>(type: "double precision", nullable: true),
                    categories = table.Column<string>(type: "jsonb", nullable: true),
                    client_ids = table.Column<string>(type: "jsonb", nullable: true),
                    secret = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    previous_secret = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    previous_secret_until = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    is_enabled = table.Column<bool>(type: "boolean", nullable: false),
                    disabled_reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    consecutive_failures = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    created_by_user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    is_deleted = table.Column<bool>(type: "boolean", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    deleted_by_user_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhooks", x => new { x.business_id, x.id });
                    table.CheckConstraint("ck_webhooks_format", "format IN ('json', 'slack')");
                    table.CheckConstraint("ck_webhooks_min_relevance", "min_relevance IS NULL OR (min_relevance >= 0 AND min_relevance <= 1)");
                    table.ForeignKey(
                        name: "fk_webhooks_businesses_business_id",
                        column: x => x.business_id,
                        principalTable: "businesses",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_webhooks_users_business_id_created_by_user_id",
                        columns: x => new { x.business_id, x.created_by_user_id },
                        principalTable: "users",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_webhooks_users_business_id_deleted_by_user_id",
                        columns: x => new { x.business_id, x.deleted_by_user_id },
                        principalTable: "users",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_webhooks_business_id_created_by_user_id",
                table: "webhooks",
                columns: new[] { "business_id", "created_by_user_id" },
                filter: "created_by_user_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_webhooks_business_id_deleted_by_user_id",
                table: "webhooks",
                columns: new[] { "business_id", "deleted_by_user_id" },
                filter: "deleted_by_user_id IS NOT NULL");

            Tidings.Data.Postgres.DatabaseGuards.EnableRowLevelSecurity(migrationBuilder, "webhooks");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "webhooks");
        }
    }
}
