using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tidings.Data.Postgres.Migrations
{
    /// <summary>The tenant procedure sets the business with SET LOCAL, which reaches Citus workers (why: DatabaseGuards.ReplaceTenantProcedure).</summary>
    public partial class TenantSessionReachesWorkers : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) =>
            Tidings.Data.Postgres.DatabaseGuards.ReplaceTenantProcedure(migrationBuilder);

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"DROP PROCEDURE {Tidings.Data.Postgres.DatabaseGuards.TenantProcedure}(text, text, text);");
            Tidings.Data.Postgres.DatabaseGuards.CreateTenantProcedure(migrationBuilder);
        }
    }
}
