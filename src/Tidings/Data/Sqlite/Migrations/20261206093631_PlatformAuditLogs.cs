using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tidings.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class PlatformAuditLogs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "platform_audit_logs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    actor_name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    table_name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    record_id = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    action = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    old_values = table.Column<string>(type: "TEXT", nullable: true),
                    new_values = table.Column<string>(type: "TEXT", nullable: true),
                    changed_fields = table.Column<string>(type: "TEXT", nullable: true),
                    ip_address = table.Column<string>(type: "TEXT", maxLength: 50, nullable: true),
                    user_agent = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_platform_audit_logs", x => x.id);
                    table.CheckConstraint("ck_platform_audit_logs_action", "action IN ('CREATE', 'UPDATE', 'DELETE', 'RESTORE', 'PURGE', 'PLATFORM_SCOPE', 'IMPORT')");
                });

            migrationBuilder.CreateIndex(
                name: "ix_platform_audit_logs_created",
                table: "platform_audit_logs",
                column: "created_at");
            // The entries of no business move to their own table; then every audit_logs row names its business.
            migrationBuilder.Sql("""
                INSERT INTO platform_audit_logs (id, actor_name, table_name, record_id, action, old_values, new_values,
                                                 changed_fields, ip_address, user_agent, created_at)
                    SELECT id, actor_name, table_name, record_id, action, old_values, new_values,
                           changed_fields, ip_address, user_agent, created_at
                    FROM audit_logs WHERE business_id IS NULL;
                DROP TRIGGER IF EXISTS audit_logs_no_delete;
                DELETE FROM audit_logs WHERE business_id IS NULL;
                """);

            migrationBuilder.DropPrimaryKey(
                name: "pk_audit_logs",
                table: "audit_logs");

            migrationBuilder.AlterColumn<Guid>(
                name: "business_id",
                table: "audit_logs",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(Guid),
                oldType: "TEXT",
                oldNullable: true);

            migrationBuilder.AddPrimaryKey(
                name: "pk_audit_logs",
                table: "audit_logs",
                columns: new[] { "business_id", "id" });

            // The key change rebuilds audit_logs at the end of this migration, which drops its append-only triggers:
            // PlatformAuditLogGuardsAfterRebuild puts them back.
            Sqlite.DatabaseGuards.MakeAppendOnly(migrationBuilder, "platform_audit_logs");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "pk_audit_logs",
                table: "audit_logs");

            migrationBuilder.AlterColumn<Guid>(
                name: "business_id",
                table: "audit_logs",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "TEXT");

            migrationBuilder.AddPrimaryKey(
                name: "pk_audit_logs",
                table: "audit_logs",
                column: "id");

            migrationBuilder.Sql("""
                INSERT INTO audit_logs (id, business_id, actor_name, table_name, record_id, action, old_values, new_values,
                                        changed_fields, ip_address, user_agent, created_at)
                    SELECT id, NULL, actor_name, table_name, record_id, action, old_values, new_values,
                           changed_fields, ip_address, user_agent, created_at
                    FROM platform_audit_logs;
                """);
            migrationBuilder.DropTable(
                name: "platform_audit_logs");
        }
    }
}
