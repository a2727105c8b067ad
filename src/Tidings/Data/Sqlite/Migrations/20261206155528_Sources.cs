using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tidings.Data.Sqlite.Migrations
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
                type: "TEXT",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "source_id",
                table: "events",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "sources",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    business_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    client_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    url = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    feed_url = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    keep = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    e_tag = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    last_modified = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    last_fetched_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    next_due_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    consecutive_failures = table.Column<int>(type: "INTEGER", nullable: false),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    stopped_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    stopped_reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    claimed_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    claimed_until = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    created_by_user_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    is_deleted = table.Column<bool>(type: "INTEGER", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    deleted_by_user_id = table.Column<Guid>(type: "TEXT", nullable: true)
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
