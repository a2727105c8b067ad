using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tidings.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AuditLogGuardsAfterRebuild : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // LegacyImport changed a check constraint of audit_logs; SQLite applies that by rebuilding the table at the
            // end of the migration, which drops the append-only triggers. They come back here.
            Sqlite.DatabaseGuards.MakeAppendOnly(migrationBuilder, "audit_logs");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS audit_logs_no_update; DROP TRIGGER IF EXISTS audit_logs_no_delete;");
        }
    }
}
