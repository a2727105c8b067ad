using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tidings.Data.Postgres.Migrations
{
    /// <summary>Row-level security on every tenant-owned table, and an append-only audit_logs.</summary>
    public partial class DatabaseGuards : Migration
    {
        private static readonly string[] TenantTables =
            ["users", "clients", "events", "event_user_interactions", "tags", "client_tags", "event_tags", "notifications", "audit_logs"];

        protected override void Up(MigrationBuilder migrationBuilder)
        {
            Postgres.DatabaseGuards.CreateFunctions(migrationBuilder);
            foreach (var table in TenantTables)
                Postgres.DatabaseGuards.EnableRowLevelSecurity(migrationBuilder, table, platformScope: true);
            Postgres.DatabaseGuards.EnableRowLevelSecurity(migrationBuilder, "businesses", businessColumn: "id", platformScope: true);
            Postgres.DatabaseGuards.MakeAppendOnly(migrationBuilder, "audit_logs");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER audit_logs_no_truncate ON audit_logs;
                DROP TRIGGER audit_logs_no_update_delete ON audit_logs;
                DROP FUNCTION audit_logs_append_only();
                """);
            foreach (var table in TenantTables.Append("businesses"))
                migrationBuilder.Sql($"""
                    DROP POLICY platform_scope ON {table};
                    DROP POLICY tenant_isolation ON {table};
                    ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY;
                    ALTER TABLE {table} DISABLE ROW LEVEL SECURITY;
                    """);
            migrationBuilder.Sql("DROP FUNCTION tidings_platform_scope(); DROP FUNCTION tidings_current_business();");
        }
    }
}
