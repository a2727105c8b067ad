using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tidings.Data.Postgres.Migrations
{
    /// <summary>The procedure PostgresTenantSession calls in front of a statement outside a transaction (why: DatabaseGuards.CreateTenantProcedure).</summary>
    public partial class TenantProcedure : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder) =>
            Tidings.Data.Postgres.DatabaseGuards.CreateTenantProcedure(migrationBuilder);

        protected override void Down(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql($"DROP PROCEDURE {Tidings.Data.Postgres.DatabaseGuards.TenantProcedure}(text, text, text);");
    }
}
