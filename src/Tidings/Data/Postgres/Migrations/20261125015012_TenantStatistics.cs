using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tidings.Data.Postgres.Migrations
{
    /// <summary>Dependency statistics between business_id and the ids that imply it (why: DatabaseGuards.CreateTenantStatistics).</summary>
    public partial class TenantStatistics : Migration
    {
        private static readonly (string Table, string[] Columns)[] Statistics =
        [
            ("events", ["client_id"]),
            ("event_user_interactions", ["event_id", "user_id"]),
            ("event_tags", ["event_id", "tag_id"]),
            ("client_tags", ["client_id", "tag_id"]),
            ("notifications", ["user_id"]),
            ("clients", ["assigned_to_user_id"]),
        ];

        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, columns) in Statistics)
                Tidings.Data.Postgres.DatabaseGuards.CreateTenantStatistics(migrationBuilder, table, columns);
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, _) in Statistics)
                migrationBuilder.Sql($"DROP STATISTICS st_{table}_business;");
        }
    }
}
