using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tidings.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class LegacyImport : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_events_business_deleted",
                table: "events");

            migrationBuilder.DropIndex(
                name: "ix_events_business_duplicate_of",
                table: "events");

            migrationBuilder.DropIndex(
                name: "ix_events_business_id_created_by_user_id",
                table: "events");

            migrationBuilder.DropIndex(
                name: "ix_events_business_id_deleted_by_user_id",
                table: "events");

            migrationBuilder.DropCheckConstraint(
                name: "ck_audit_logs_action",
                table: "audit_logs");

            migrationBuilder.CreateTable(
                name: "legacy_id_map",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    business_id = table.Column<Guid>(type: "uuid", nullable: false),
                    table_name = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    old_id = table.Column<long>(type: "bigint", nullable: false),
                    new_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_legacy_id_map", x => new { x.business_id, x.id });
                    table.ForeignKey(
                        name: "fk_legacy_id_map_businesses_business_id",
                        column: x => x.business_id,
                        principalTable: "businesses",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "legacy_values",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    business_id = table.Column<Guid>(type: "uuid", nullable: false),
                    table_name = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    record_id = table.Column<Guid>(type: "uuid", nullable: false),
                    old_id = table.Column<long>(type: "bigint", nullable: true),
                    column_name = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    original_value = table.Column<string>(type: "text", nullable: true),
                    reason = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_legacy_values", x => new { x.business_id, x.id });
                    table.ForeignKey(
                        name: "fk_legacy_values_businesses_business_id",
                        column: x => x.business_id,
                        principalTable: "businesses",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_events_business_deleted",
                table: "events",
                columns: new[] { "business_id", "is_deleted" },
                filter: "is_deleted");

            migrationBuilder.CreateIndex(
                name: "ix_events_business_duplicate_of",
                table: "events",
                columns: new[] { "business_id", "duplicate_of_event_id" },
                filter: "duplicate_of_event_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_events_business_id_created_by_user_id",
                table: "events",
                columns: new[] { "business_id", "created_by_user_id" },
                filter: "created_by_user_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_events_business_id_deleted_by_user_id",
                table: "events",
                columns: new[] { "business_id", "deleted_by_user_id" },
                filter: "deleted_by_user_id IS NOT NULL");

            migrationBuilder.AddCheckConstraint(
                name: "ck_audit_logs_action",
                table: "audit_logs",
                sql: "action IN ('CREATE', 'UPDATE', 'DELETE', 'RESTORE', 'PURGE', 'PLATFORM_SCOPE', 'IMPORT')");

            migrationBuilder.CreateIndex(
                name: "ix_legacy_id_map_old",
                table: "legacy_id_map",
                columns: new[] { "business_id", "table_name", "old_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_legacy_values_record",
                table: "legacy_values",
                columns: new[] { "business_id", "table_name", "record_id" });

            Tidings.Data.Postgres.DatabaseGuards.EnableRowLevelSecurity(migrationBuilder, "legacy_id_map", platformScope: true);
            Tidings.Data.Postgres.DatabaseGuards.EnableRowLevelSecurity(migrationBuilder, "legacy_values", platformScope: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "legacy_id_map");

            migrationBuilder.DropTable(
                name: "legacy_values");

            migrationBuilder.DropIndex(
                name: "ix_events_business_deleted",
                table: "events");

            migrationBuilder.DropIndex(
                name: "ix_events_business_duplicate_of",
                table: "events");

            migrationBuilder.DropIndex(
                name: "ix_events_business_id_created_by_user_id",
                table: "events");

            migrationBuilder.DropIndex(
                name: "ix_events_business_id_deleted_by_user_id",
                table: "events");

            migrationBuilder.DropCheckConstraint(
                name: "ck_audit_logs_action",
                table: "audit_logs");

            migrationBuilder.CreateIndex(
                name: "ix_events_business_deleted",
                table: "events",
                columns: new[] { "business_id", "is_deleted" });

            migrationBuilder.CreateIndex(
                name: "ix_events_business_duplicate_of",
                table: "events",
                columns: new[] { "business_id", "duplicate_of_event_id" });

            migrationBuilder.CreateIndex(
                name: "ix_events_business_id_created_by_user_id",
                table: "events",
                columns: new[] { "business_id", "created_by_user_id" });

            migrationBuilder.CreateIndex(
                name: "ix_events_business_id_deleted_by_user_id",
                table: "events",
                columns: new[] { "business_id", "deleted_by_user_id" });

            migrationBuilder.AddCheckConstraint(
                name: "ck_audit_logs_action",
                table: "audit_logs",
                sql: "action IN ('CREATE', 'UPDATE', 'DELETE', 'RESTORE', 'PURGE', 'PLATFORM_SCOPE')");
        }
    }
}
