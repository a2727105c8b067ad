using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tidings.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class PlatformAuditLogGuardsAfterRebuild : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // PlatformAuditLogs changed audit_logs' key; SQLite applies that by rebuilding the table at the end of the
            // migration, which drops the append-only triggers. They come back here.
            Sqlite.DatabaseGuards.MakeAppendOnly(migrationBuilder, "audit_logs");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS audit_logs_no_update; DROP TRIGGER IF EXISTS audit_logs_no_delete;");
        }
    }
}
