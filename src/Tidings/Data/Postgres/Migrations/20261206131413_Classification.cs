using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tidings.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Classification : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "classification_evidence",
                table: "events",
                type: "character varying(300)",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "classified_by",
                table: "events",
                type: "character varying(50)",
                maxLength: 50,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "health_score_source",
                table: "clients",
                type: "character varying(10)",
                maxLength: 10,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "health_score_from_news",
                table: "businesses",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<double>(
                name: "review_confidence_threshold",
                table: "businesses",
                type: "double precision",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.CreateTable(
                name: "classification_examples",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    business_id = table.Column<Guid>(type: "uuid", nullable: false),
                    event_id = table.Column<Guid>(type: "uuid", nullable: false),
                    category = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    subcategory = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    title = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    description = table.Column<string>(type: "text", nullable: true),
                    client_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    created_by_user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    is_deleted = table.Column<bool>(type: "boolean", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    deleted_by_user_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_classification_examples", x => new { x.business_id, x.id });
                    table.ForeignKey(
                        name: "fk_classification_examples_businesses_business_id",
                        column: x => x.business_id,
                        principalTable: "businesses",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_classification_examples_events_business_id_event_id",
                        columns: x => new { x.business_id, x.event_id },
                        principalTable: "events",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_classification_examples_users_business_id_created_by_user_id",
                        columns: x => new { x.business_id, x.created_by_user_id },
                        principalTable: "users",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_classification_examples_users_business_id_deleted_by_user_id",
                        columns: x => new { x.business_id, x.deleted_by_user_id },
                        principalTable: "users",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.AddCheckConstraint(
                name: "ck_clients_health_score_source",
                table: "clients",
                sql: "health_score_source IS NULL OR health_score_source IN ('person', 'news')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_businesses_review_threshold",
                table: "businesses",
                sql: "review_confidence_threshold >= 0 AND review_confidence_threshold <= 1");

            migrationBuilder.CreateIndex(
                name: "ix_classification_examples_business_event",
                table: "classification_examples",
                columns: new[] { "business_id", "event_id" },
                unique: true,
                filter: "NOT is_deleted");

            migrationBuilder.CreateIndex(
                name: "ix_classification_examples_business_id_created_by_user_id",
                table: "classification_examples",
                columns: new[] { "business_id", "created_by_user_id" });

            migrationBuilder.CreateIndex(
                name: "ix_classification_examples_business_id_deleted_by_user_id",
                table: "classification_examples",
                columns: new[] { "business_id", "deleted_by_user_id" });

            migrationBuilder.CreateIndex(
                name: "ix_classification_examples_business_updated",
                table: "classification_examples",
                columns: new[] { "business_id", "updated_at" });

            // Each business's corrections teach its own classifications only (DatabaseGuards).
            Tidings.Data.Postgres.DatabaseGuards.EnableRowLevelSecurity(migrationBuilder, "classification_examples");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "classification_examples");

            migrationBuilder.DropCheckConstraint(
                name: "ck_clients_health_score_source",
                table: "clients");

            migrationBuilder.DropCheckConstraint(
                name: "ck_businesses_review_threshold",
                table: "businesses");

            migrationBuilder.DropColumn(
                name: "classification_evidence",
                table: "events");

            migrationBuilder.DropColumn(
                name: "classified_by",
                table: "events");

            migrationBuilder.DropColumn(
                name: "health_score_source",
                table: "clients");

            migrationBuilder.DropColumn(
                name: "health_score_from_news",
                table: "businesses");

            migrationBuilder.DropColumn(
                name: "review_confidence_threshold",
                table: "businesses");
        }
    }
}
