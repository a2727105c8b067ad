using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tidings.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Sources : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "kept_because",
                table: "events",
                type: "character varying(300)",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "source_id",
                table: "events",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "sources",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    business_id = table.Column<Guid>(type: "uuid", nullable: false),
                    client_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    url = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    feed_url = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    keep = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    e_tag = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    last_modified = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    last_fetched_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    next_due_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    consecutive_failures = table.Column<int>(type: "integer", nullable: false),
                    last_error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    stopped_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    stopped_reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    claimed_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    claimed_until = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    created_by_user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    is_deleted = table.Column<bool>(type: "boolean", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    deleted_by_user_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sources", x => new { x.business_id, x.id });
                    table.CheckConstraint("ck_sources_keep", "keep IN ('all', 'mentions')");
                    table.CheckConstraint("ck_sources_kind", "kind IN ('feed', 'website', 'news_search')");
                    table.ForeignKey(
                        name: "fk_sources_businesses_business_id",
                        column: x => x.business_id,
                        principalTable: "businesses",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_sources_clients_business_id_client_id",
                        columns: x => new { x.business_id, x.client_id },
                        principalTable: "clients",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_sources_users_business_id_created_by_user_id",
                        columns: x => new { x.business_id, x.created_by_user_id },
                        principalTable: "users",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_sources_users_business_id_deleted_by_user_id",
                        columns: x => new { x.business_id, x.deleted_by_user_id },
                        principalTable: "users",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_events_business_source",
                table: "events",
                columns: new[] { "business_id", "source_id" },
                filter: "source_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_sources_business_client",
                table: "sources",
                columns: new[] { "business_id", "client_id" });

            migrationBuilder.CreateIndex(
                name: "ix_sources_business_due",
                table: "sources",
                columns: new[] { "business_id", "next_due_at" },
                filter: "NOT is_deleted AND stopped_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_sources_business_id_created_by_user_id",
                table: "sources",
                columns: new[] { "business_id", "created_by_user_id" },
                filter: "created_by_user_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_sources_business_id_deleted_by_user_id",
                table: "sources",
                columns: new[] { "business_id", "deleted_by_user_id" },
                filter: "deleted_by_user_id IS NOT NULL");

            migrationBuilder.AddForeignKey(
                name: "fk_events_sources_business_id_source_id",
                table: "events",
                columns: new[] { "business_id", "source_id" },
                principalTable: "sources",
                principalColumns: new[] { "business_id", "id" });

            Tidings.Data.Postgres.DatabaseGuards.EnableRowLevelSecurity(migrationBuilder, "sources");
            // The monitor's one read across businesses (DueWorkLookup): which businesses have sources due, reading
            // scheduling columns only, inside a platform scope; it can neither write sources nor read them otherwise.
            migrationBuilder.Sql("CREATE POLICY platform_due_work ON sources FOR SELECT USING (tidings_platform_scope());");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_events_sources_business_id_source_id",
                table: "events");

            migrationBuilder.DropTable(
                name: "sources");

            migrationBuilder.DropIndex(
                name: "ix_events_business_source",
                table: "events");

            migrationBuilder.DropColumn(
                name: "kept_because",
                table: "events");

            migrationBuilder.DropColumn(
                name: "source_id",
                table: "events");
        }
    }
}
