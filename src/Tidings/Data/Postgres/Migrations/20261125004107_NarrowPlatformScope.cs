using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tidings.Data.Postgres.Migrations
{
    /// <summary>
    /// The platform scope keeps businesses, users and the audit trail; business data loses its
    /// platform_scope policy (why: DatabaseGuards.PlatformScopeTables).
    /// </summary>
    public partial class NarrowPlatformScope : Migration
    {
        private static readonly string[] BusinessData =
            ["clients", "events", "event_user_interactions", "tags", "client_tags", "event_tags", "notifications", "api_tokens", "legacy_id_map", "legacy_values"];

        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var table in BusinessData)
                migrationBuilder.Sql($"DROP POLICY platform_scope ON {table};");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in BusinessData)
                Tidings.Data.Postgres.DatabaseGuards.EnablePlatformScope(migrationBuilder, table);
        }
    }
}
