using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tidings.Data.Postgres.Migrations
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
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    actor_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    table_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    record_id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    action = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    old_values = table.Column<string>(type: "jsonb", nullable: true),
                    new_values = table.Column<string>(type: "jsonb", nullable: true),
                    changed_fields = table.Column<string>(type: "jsonb", nullable: true),
                    ip_address = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    user_agent = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
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
            // The entries of no business move to their own table, in this transaction, with audit_logs' append-only
            // trigger off only for the move: no other writer sees it off. Then every audit_logs row names its business.
            // The owner migrates under audit_logs' forced row-level security: it sees those entries in the platform scope only.
            migrationBuilder.Sql($"""
                SELECT set_config('{Postgres.DatabaseGuards.PlatformSetting}', 'on', true);
                INSERT INTO platform_audit_logs (id, actor_name, table_name, record_id, action, old_values, new_values,
                                                 changed_fields, ip_address, user_agent, created_at)
                    SELECT id, actor_name, table_name, record_id, action, old_values, new_values,
                           changed_fields, ip_address, user_agent, created_at
                    FROM audit_logs WHERE business_id IS NULL;
                ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_no_update_delete;
                DELETE FROM audit_logs WHERE business_id IS NULL;
                ALTER TABLE audit_logs ENABLE TRIGGER audit_logs_no_update_delete;
                """);

            migrationBuilder.DropPrimaryKey(
                name: "pk_audit_logs",
                table: "audit_logs");

            migrationBuilder.AlterColumn<Guid>(
                name: "business_id",
                table: "audit_logs",
                type: "uuid",
                nullable: false,
                oldClrType: typeof(Guid),
                oldType: "uuid",
                oldNullable: true);

            migrationBuilder.AddPrimaryKey(
                name: "pk_audit_logs",
                table: "audit_logs",
                columns: new[] { "business_id", "id" });

            Postgres.DatabaseGuards.MakeAppendOnly(migrationBuilder, "platform_audit_logs");
            migrationBuilder.Sql("""
                ALTER TABLE platform_audit_logs ENABLE ROW LEVEL SECURITY;
                ALTER TABLE platform_audit_logs FORCE ROW LEVEL SECURITY;
                """);
            Postgres.DatabaseGuards.EnablePlatformScope(migrationBuilder, "platform_audit_logs");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"""
                SELECT set_config('{Postgres.DatabaseGuards.PlatformSetting}', 'on', true);
                ALTER TABLE audit_logs DROP CONSTRAINT pk_audit_logs;
                ALTER TABLE audit_logs ALTER COLUMN business_id DROP NOT NULL;
                ALTER TABLE audit_logs ADD CONSTRAINT pk_audit_logs PRIMARY KEY (id);
                INSERT INTO audit_logs (id, business_id, actor_name, table_name, record_id, action, old_values, new_values,
                                        changed_fields, ip_address, user_agent, created_at)
                    SELECT id, NULL, actor_name, table_name, record_id, action, old_values, new_values,
                           changed_fields, ip_address, user_agent, created_at
                    FROM platform_audit_logs;
                DROP TABLE platform_audit_logs;
                DROP FUNCTION platform_audit_logs_append_only();
                """);
        }
    }
}
