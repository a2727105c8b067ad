using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tidings.Data.Sqlite.Migrations
{
    /// <summary>An append-only audit_logs (SQLite has no row-level security: tenancy rests on the data layer and the keys).</summary>
    public partial class DatabaseGuards : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) =>
            Sqlite.DatabaseGuards.MakeAppendOnly(migrationBuilder, "audit_logs");

        protected override void Down(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("DROP TRIGGER audit_logs_no_update; DROP TRIGGER audit_logs_no_delete;");
    }
}
