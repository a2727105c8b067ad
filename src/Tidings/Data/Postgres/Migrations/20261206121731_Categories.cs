using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tidings.Data.Postgres.Migrations
{
    /// <summary>Each business's own taxonomy (issue 13).</summary>
    public partial class Categories : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "categories",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    business_id = table.Column<Guid>(type: "uuid", nullable: false),
                    key = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    description = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    parent_id = table.Column<Guid>(type: "uuid", nullable: true),
                    signal = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    weight = table.Column<double>(type: "double precision", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    created_by_user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    is_deleted = table.Column<bool>(type: "boolean", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    deleted_by_user_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_categories", x => new { x.business_id, x.id });
                    table.CheckConstraint("ck_categories_key", "length(key) > 0");
                    table.CheckConstraint("ck_categories_signal", "signal IN ('growth', 'risk', 'neutral')");
                    table.CheckConstraint("ck_categories_weight", "weight >= 0 AND weight <= 1");
                    table.ForeignKey(
                        name: "fk_categories_businesses_business_id",
                        column: x => x.business_id,
                        principalTable: "businesses",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_categories_categories_business_id_parent_id",
                        columns: x => new { x.business_id, x.parent_id },
                        principalTable: "categories",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_categories_users_business_id_created_by_user_id",
                        columns: x => new { x.business_id, x.created_by_user_id },
                        principalTable: "users",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_categories_users_business_id_deleted_by_user_id",
                        columns: x => new { x.business_id, x.deleted_by_user_id },
                        principalTable: "users",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_categories_business_id_created_by_user_id",
                table: "categories",
                columns: new[] { "business_id", "created_by_user_id" });

            migrationBuilder.CreateIndex(
                name: "ix_categories_business_id_deleted_by_user_id",
                table: "categories",
                columns: new[] { "business_id", "deleted_by_user_id" });

            migrationBuilder.CreateIndex(
                name: "ix_categories_business_key",
                table: "categories",
                columns: new[] { "business_id", "key" },
                unique: true,
                filter: "NOT is_deleted");

            migrationBuilder.CreateIndex(
                name: "ix_categories_business_parent",
                table: "categories",
                columns: new[] { "business_id", "parent_id" });

            // Each business's own taxonomy: its rows only (DatabaseGuards); db migrate gives every business without one the default.
            Tidings.Data.Postgres.DatabaseGuards.EnableRowLevelSecurity(migrationBuilder, "categories");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "categories");
        }
    }
}
