using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tidings.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "businesses",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    slug = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    notification_relevance_threshold = table.Column<double>(type: "double precision", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_businesses", x => x.id);
                    table.CheckConstraint("ck_businesses_threshold", "notification_relevance_threshold >= 0 AND notification_relevance_threshold <= 1");
                });

            migrationBuilder.CreateTable(
                name: "users",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    business_id = table.Column<Guid>(type: "uuid", nullable: false),
                    email = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false),
                    normalized_email = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false),
                    display_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    role = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    password_hash = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    is_active = table.Column<bool>(type: "boolean", nullable: false),
                    last_login_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    is_deleted = table.Column<bool>(type: "boolean", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    deleted_by_user_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_users", x => new { x.business_id, x.id });
                    table.CheckConstraint("ck_users_role", "role IN ('owner', 'admin', 'member', 'viewer')");
                    table.ForeignKey(
                        name: "fk_users_businesses_business_id",
                        column: x => x.business_id,
                        principalTable: "businesses",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_users_users_business_id_deleted_by_user_id",
                        columns: x => new { x.business_id, x.deleted_by_user_id },
                        principalTable: "users",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "audit_logs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    business_id = table.Column<Guid>(type: "uuid", nullable: true),
                    user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    actor_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    table_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    record_id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    action = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    old_values = table.Column<string>(type: "jsonb", nullable: true),
                    new_values = table.Column<string>(type: "jsonb", nullable: true),
                    changed_fields = table.Column<string>(type: "jsonb", nullable: true),
                    ip_address = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    user_agent = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_logs", x => x.id);
                    table.CheckConstraint("ck_audit_logs_action", "action IN ('CREATE', 'UPDATE', 'DELETE', 'RESTORE', 'PURGE', 'PLATFORM_SCOPE')");
                    table.ForeignKey(
                        name: "fk_audit_logs_businesses_business_id",
                        column: x => x.business_id,
                        principalTable: "businesses",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_audit_logs_users_business_id_user_id",
                        columns: x => new { x.business_id, x.user_id },
                        principalTable: "users",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "clients",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    business_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    domain = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    industry = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    description = table.Column<string>(type: "text", nullable: true),
                    company_size = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    revenue_range = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    headquarters_location = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    founded_year = table.Column<int>(type: "integer", nullable: true),
                    search_keywords = table.Column<string>(type: "jsonb", nullable: true),
                    monitoring_frequency = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    is_active = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    last_checked_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    assigned_to_user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    tier = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    health_score = table.Column<double>(type: "double precision", nullable: true),
                    notes = table.Column<string>(type: "text", nullable: true),
                    created_by_user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    is_deleted = table.Column<bool>(type: "boolean", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    deleted_by_user_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_clients", x => new { x.business_id, x.id });
                    table.CheckConstraint("ck_clients_health_score", "health_score IS NULL OR (health_score >= 0 AND health_score <= 100)");
                    table.CheckConstraint("ck_clients_monitoring_frequency", "monitoring_frequency IN ('hourly', 'daily', 'weekly')");
                    table.ForeignKey(
                        name: "fk_clients_businesses_business_id",
                        column: x => x.business_id,
                        principalTable: "businesses",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_clients_users_business_id_assigned_to_user_id",
                        columns: x => new { x.business_id, x.assigned_to_user_id },
                        principalTable: "users",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_clients_users_business_id_created_by_user_id",
                        columns: x => new { x.business_id, x.created_by_user_id },
                        principalTable: "users",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_clients_users_business_id_deleted_by_user_id",
                        columns: x => new { x.business_id, x.deleted_by_user_id },
                        principalTable: "users",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "tags",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    business_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    color = table.Column<string>(type: "character varying(7)", maxLength: 7, nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    created_by_user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    is_deleted = table.Column<bool>(type: "boolean", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    deleted_by_user_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tags", x => new { x.business_id, x.id });
                    table.CheckConstraint("ck_tags_color", "color IS NULL OR length(color) = 7");
                    table.ForeignKey(
                        name: "fk_tags_businesses_business_id",
                        column: x => x.business_id,
                        principalTable: "businesses",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_tags_users_business_id_created_by_user_id",
                        columns: x => new { x.business_id, x.created_by_user_id },
                        principalTable: "users",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_tags_users_business_id_deleted_by_user_id",
                        columns: x => new { x.business_id, x.deleted_by_user_id },
                        principalTable: "users",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "events",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    business_id = table.Column<Guid>(type: "uuid", nullable: false),
                    client_id = table.Column<Guid>(type: "uuid", nullable: false),
                    title = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    description = table.Column<string>(type: "text", nullable: true),
                    url = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    source = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    source_type = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    category = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    subcategory = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    tags = table.Column<string>(type: "jsonb", nullable: true),
                    relevance_score = table.Column<double>(type: "double precision", nullable: false),
                    sentiment_score = table.Column<double>(type: "double precision", nullable: true),
                    confidence_score = table.Column<double>(type: "double precision", nullable: true),
                    event_date = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    discovered_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    content_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    duplicate_of_event_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_by_user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    is_deleted = table.Column<bool>(type: "boolean", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    deleted_by_user_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_events", x => new { x.business_id, x.id });
                    table.CheckConstraint("ck_events_confidence_score", "confidence_score IS NULL OR (confidence_score >= 0 AND confidence_score <= 1)");
                    table.CheckConstraint("ck_events_relevance_score", "relevance_score >= 0 AND relevance_score <= 1");
                    table.CheckConstraint("ck_events_sentiment_score", "sentiment_score IS NULL OR (sentiment_score >= -1 AND sentiment_score <= 1)");
                    table.ForeignKey(
                        name: "fk_events_businesses_business_id",
                        column: x => x.business_id,
                        principalTable: "businesses",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_events_clients_business_id_client_id",
                        columns: x => new { x.business_id, x.client_id },
                        principalTable: "clients",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_events_events_business_id_duplicate_of_event_id",
                        columns: x => new { x.business_id, x.duplicate_of_event_id },
                        principalTable: "events",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_events_users_business_id_created_by_user_id",
                        columns: x => new { x.business_id, x.created_by_user_id },
                        principalTable: "users",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_events_users_business_id_deleted_by_user_id",
                        columns: x => new { x.business_id, x.deleted_by_user_id },
                        principalTable: "users",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "client_tags",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    business_id = table.Column<Guid>(type: "uuid", nullable: false),
                    client_id = table.Column<Guid>(type: "uuid", nullable: false),
                    tag_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    created_by_user_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_client_tags", x => new { x.business_id, x.id });
                    table.ForeignKey(
                        name: "fk_client_tags_businesses_business_id",
                        column: x => x.business_id,
                        principalTable: "businesses",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_client_tags_clients_business_id_client_id",
                        columns: x => new { x.business_id, x.client_id },
                        principalTable: "clients",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_client_tags_tags_business_id_tag_id",
                        columns: x => new { x.business_id, x.tag_id },
                        principalTable: "tags",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_client_tags_users_business_id_created_by_user_id",
                        columns: x => new { x.business_id, x.created_by_user_id },
                        principalTable: "users",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "event_tags",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    business_id = table.Column<Guid>(type: "uuid", nullable: false),
                    event_id = table.Column<Guid>(type: "uuid", nullable: false),
                    tag_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    created_by_user_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_event_tags", x => new { x.business_id, x.id });
                    table.ForeignKey(
                        name: "fk_event_tags_businesses_business_id",
                        column: x => x.business_id,
                        principalTable: "businesses",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_event_tags_events_business_id_event_id",
                        columns: x => new { x.business_id, x.event_id },
                        principalTable: "events",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_event_tags_tags_business_id_tag_id",
                        columns: x => new { x.business_id, x.tag_id },
                        principalTable: "tags",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_event_tags_users_business_id_created_by_user_id",
                        columns: x => new { x.business_id, x.created_by_user_id },
                        principalTable: "users",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "event_user_interactions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    business_id = table.Column<Guid>(type: "uuid", nullable: false),
                    event_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    is_read = table.Column<bool>(type: "boolean", nullable: false),
                    read_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    is_starred = table.Column<bool>(type: "boolean", nullable: false),
                    starred_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    user_notes = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_event_user_interactions", x => new { x.business_id, x.id });
                    table.ForeignKey(
                        name: "fk_event_user_interactions_businesses_business_id",
                        column: x => x.business_id,
                        principalTable: "businesses",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_event_user_interactions_events_business_id_event_id",
                        columns: x => new { x.business_id, x.event_id },
                        principalTable: "events",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_event_user_interactions_users_business_id_user_id",
                        columns: x => new { x.business_id, x.user_id },
                        principalTable: "users",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "notifications",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    business_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    type = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    message = table.Column<string>(type: "text", nullable: false),
                    link_url = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    related_event_id = table.Column<Guid>(type: "uuid", nullable: true),
                    related_client_id = table.Column<Guid>(type: "uuid", nullable: true),
                    is_read = table.Column<bool>(type: "boolean", nullable: false),
                    read_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notifications", x => new { x.business_id, x.id });
                    table.ForeignKey(
                        name: "fk_notifications_businesses_business_id",
                        column: x => x.business_id,
                        principalTable: "businesses",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_notifications_clients_business_id_related_client_id",
                        columns: x => new { x.business_id, x.related_client_id },
                        principalTable: "clients",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_notifications_events_business_id_related_event_id",
                        columns: x => new { x.business_id, x.related_event_id },
                        principalTable: "events",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_notifications_users_business_id_user_id",
                        columns: x => new { x.business_id, x.user_id },
                        principalTable: "users",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_audit_logs_business_created",
                table: "audit_logs",
                columns: new[] { "business_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_logs_business_record",
                table: "audit_logs",
                columns: new[] { "business_id", "table_name", "record_id" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_logs_business_user",
                table: "audit_logs",
                columns: new[] { "business_id", "user_id" });

            migrationBuilder.CreateIndex(
                name: "ix_businesses_slug",
                table: "businesses",
                column: "slug",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_client_tags_business_id_created_by_user_id",
                table: "client_tags",
                columns: new[] { "business_id", "created_by_user_id" });

            migrationBuilder.CreateIndex(
                name: "ix_client_tags_tag",
                table: "client_tags",
                columns: new[] { "business_id", "tag_id" });

            migrationBuilder.CreateIndex(
                name: "ix_client_tags_unique",
                table: "client_tags",
                columns: new[] { "business_id", "client_id", "tag_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_clients_business_active",
                table: "clients",
                columns: new[] { "business_id", "is_active" });

            migrationBuilder.CreateIndex(
                name: "ix_clients_business_assigned_to",
                table: "clients",
                columns: new[] { "business_id", "assigned_to_user_id" });

            migrationBuilder.CreateIndex(
                name: "ix_clients_business_deleted",
                table: "clients",
                columns: new[] { "business_id", "is_deleted" });

            migrationBuilder.CreateIndex(
                name: "ix_clients_business_domain",
                table: "clients",
                columns: new[] { "business_id", "domain" });

            migrationBuilder.CreateIndex(
                name: "ix_clients_business_id_created_by_user_id",
                table: "clients",
                columns: new[] { "business_id", "created_by_user_id" });

            migrationBuilder.CreateIndex(
                name: "ix_clients_business_id_deleted_by_user_id",
                table: "clients",
                columns: new[] { "business_id", "deleted_by_user_id" });

            migrationBuilder.CreateIndex(
                name: "ix_clients_business_name",
                table: "clients",
                columns: new[] { "business_id", "name" });

            migrationBuilder.CreateIndex(
                name: "ix_event_tags_business_id_created_by_user_id",
                table: "event_tags",
                columns: new[] { "business_id", "created_by_user_id" });

            migrationBuilder.CreateIndex(
                name: "ix_event_tags_tag",
                table: "event_tags",
                columns: new[] { "business_id", "tag_id" });

            migrationBuilder.CreateIndex(
                name: "ix_event_tags_unique",
                table: "event_tags",
                columns: new[] { "business_id", "event_id", "tag_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_event_user_interactions_user_read",
                table: "event_user_interactions",
                columns: new[] { "business_id", "user_id", "is_read" });

            migrationBuilder.CreateIndex(
                name: "ix_event_user_interactions_user_starred",
                table: "event_user_interactions",
                columns: new[] { "business_id", "user_id", "is_starred" });

            migrationBuilder.CreateIndex(
                name: "ix_event_user_unique",
                table: "event_user_interactions",
                columns: new[] { "business_id", "event_id", "user_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_events_business_category",
                table: "events",
                columns: new[] { "business_id", "category", "event_date", "id" },
                descending: new[] { false, false, true, true });

            migrationBuilder.CreateIndex(
                name: "ix_events_business_client",
                table: "events",
                columns: new[] { "business_id", "client_id", "event_date", "id" },
                descending: new[] { false, false, true, true });

            migrationBuilder.CreateIndex(
                name: "ix_events_business_date",
                table: "events",
                columns: new[] { "business_id", "event_date", "id" },
                descending: new[] { false, true, true });

            migrationBuilder.CreateIndex(
                name: "ix_events_business_deleted",
                table: "events",
                columns: new[] { "business_id", "is_deleted" });

            migrationBuilder.CreateIndex(
                name: "ix_events_business_duplicate_of",
                table: "events",
                columns: new[] { "business_id", "duplicate_of_event_id" });

            migrationBuilder.CreateIndex(
                name: "ix_events_business_id_created_by_user_id",
                table: "events",
                columns: new[] { "business_id", "created_by_user_id" });

            migrationBuilder.CreateIndex(
                name: "ix_events_business_id_deleted_by_user_id",
                table: "events",
                columns: new[] { "business_id", "deleted_by_user_id" });

            migrationBuilder.CreateIndex(
                name: "ix_events_business_relevance",
                table: "events",
                columns: new[] { "business_id", "relevance_score" });

            migrationBuilder.CreateIndex(
                name: "ix_events_content_hash",
                table: "events",
                columns: new[] { "business_id", "content_hash" });

            migrationBuilder.CreateIndex(
                name: "ix_notifications_business_id_related_client_id",
                table: "notifications",
                columns: new[] { "business_id", "related_client_id" });

            migrationBuilder.CreateIndex(
                name: "ix_notifications_business_id_related_event_id",
                table: "notifications",
                columns: new[] { "business_id", "related_event_id" });

            migrationBuilder.CreateIndex(
                name: "ix_notifications_user_created",
                table: "notifications",
                columns: new[] { "business_id", "user_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_notifications_user_unread",
                table: "notifications",
                columns: new[] { "business_id", "user_id", "is_read" });

            migrationBuilder.CreateIndex(
                name: "ix_tags_business_id_created_by_user_id",
                table: "tags",
                columns: new[] { "business_id", "created_by_user_id" });

            migrationBuilder.CreateIndex(
                name: "ix_tags_business_id_deleted_by_user_id",
                table: "tags",
                columns: new[] { "business_id", "deleted_by_user_id" });

            migrationBuilder.CreateIndex(
                name: "ix_tags_business_name",
                table: "tags",
                columns: new[] { "business_id", "name" },
                unique: true,
                filter: "NOT is_deleted");

            migrationBuilder.CreateIndex(
                name: "ix_users_business_id_deleted_by_user_id",
                table: "users",
                columns: new[] { "business_id", "deleted_by_user_id" });

            migrationBuilder.CreateIndex(
                name: "ix_users_business_id_is_deleted",
                table: "users",
                columns: new[] { "business_id", "is_deleted" });

            migrationBuilder.CreateIndex(
                name: "ix_users_email_unique",
                table: "users",
                column: "normalized_email",
                unique: true,
                filter: "NOT is_deleted");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "audit_logs");

            migrationBuilder.DropTable(
                name: "client_tags");

            migrationBuilder.DropTable(
                name: "event_tags");

            migrationBuilder.DropTable(
                name: "event_user_interactions");

            migrationBuilder.DropTable(
                name: "notifications");

            migrationBuilder.DropTable(
                name: "tags");

            migrationBuilder.DropTable(
                name: "events");

            migrationBuilder.DropTable(
                name: "clients");

            migrationBuilder.DropTable(
                name: "users");

            migrationBuilder.DropTable(
                name: "businesses");
        }
    }
}
