using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tidings.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Delivery : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "time_zone",
                table: "users",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "UTC");

            migrationBuilder.CreateTable(
                name: "notification_preferences",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    business_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    kinds = table.Column<string>(type: "TEXT", nullable: false),
                    clients = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    tag_ids = table.Column<string>(type: "TEXT", nullable: true),
                    min_relevance = table.Column<double>(type: "REAL", nullable: true),
                    categories = table.Column<string>(type: "TEXT", nullable: true),
                    channel = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    digest_hour = table.Column<int>(type: "INTEGER", nullable: false),
                    digest_day = table.Column<int>(type: "INTEGER", nullable: false),
                    next_digest_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_digest_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    unsubscribe_token = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notification_preferences", x => new { x.business_id, x.id });
                    table.CheckConstraint("ck_notification_preferences_channel", "channel IN ('in_app', 'email', 'daily_digest', 'weekly_digest')");
                    table.CheckConstraint("ck_notification_preferences_clients", "clients IN ('mine', 'tagged', 'all')");
                    table.CheckConstraint("ck_notification_preferences_digest_day", "digest_day BETWEEN 0 AND 6");
                    table.CheckConstraint("ck_notification_preferences_digest_hour", "digest_hour BETWEEN 0 AND 23");
                    table.CheckConstraint("ck_notification_preferences_min_relevance", "min_relevance IS NULL OR (min_relevance >= 0 AND min_relevance <= 1)");
                    table.ForeignKey(
                        name: "fk_notification_preferences_businesses_business_id",
                        column: x => x.business_id,
                        principalTable: "businesses",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_notification_preferences_users_business_id_user_id",
                        columns: x => new { x.business_id, x.user_id },
                        principalTable: "users",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "outbox_messages",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    business_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    channel = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    webhook_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    user_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    type = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    payload = table.Column<string>(type: "TEXT", nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    delivered_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    claimed_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    claimed_until = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_messages", x => new { x.business_id, x.id });
                    table.CheckConstraint("ck_outbox_messages_channel", "channel IN ('webhook', 'email')");
                    table.CheckConstraint("ck_outbox_messages_state", "state IN ('pending', 'delivered', 'failed')");
                    table.CheckConstraint("ck_outbox_messages_target", "(channel = 'webhook' AND webhook_id IS NOT NULL) OR (channel = 'email' AND user_id IS NOT NULL)");
                    table.ForeignKey(
                        name: "fk_outbox_messages_businesses_business_id",
                        column: x => x.business_id,
                        principalTable: "businesses",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_outbox_messages_users_business_id_user_id",
                        columns: x => new { x.business_id, x.user_id },
                        principalTable: "users",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_outbox_messages_webhooks_business_id_webhook_id",
                        columns: x => new { x.business_id, x.webhook_id },
                        principalTable: "webhooks",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "webhook_deliveries",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    business_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    webhook_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    message_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    attempt = table.Column<int>(type: "INTEGER", nullable: false),
                    succeeded = table.Column<bool>(type: "INTEGER", nullable: false),
                    status_code = table.Column<int>(type: "INTEGER", nullable: true),
                    duration_ms = table.Column<int>(type: "INTEGER", nullable: false),
                    error = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    response_excerpt = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    is_test = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhook_deliveries", x => new { x.business_id, x.id });
                    table.ForeignKey(
                        name: "fk_webhook_deliveries_businesses_business_id",
                        column: x => x.business_id,
                        principalTable: "businesses",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_webhook_deliveries_webhooks_business_id_webhook_id",
                        columns: x => new { x.business_id, x.webhook_id },
                        principalTable: "webhooks",
                        principalColumns: new[] { "business_id", "id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_notification_preferences_business_digest_due",
                table: "notification_preferences",
                columns: new[] { "business_id", "next_digest_at" },
                filter: "next_digest_at IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_notification_preferences_business_id_user_id",
                table: "notification_preferences",
                columns: new[] { "business_id", "user_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_business_created",
                table: "outbox_messages",
                columns: new[] { "business_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_business_due",
                table: "outbox_messages",
                columns: new[] { "business_id", "next_attempt_at" },
                filter: "state = 'pending'");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_business_id_user_id",
                table: "outbox_messages",
                columns: new[] { "business_id", "user_id" },
                filter: "user_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_business_id_webhook_id",
                table: "outbox_messages",
                columns: new[] { "business_id", "webhook_id" },
                filter: "webhook_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_business_message",
                table: "webhook_deliveries",
                columns: new[] { "business_id", "message_id" });

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_business_webhook_created",
                table: "webhook_deliveries",
                columns: new[] { "business_id", "webhook_id", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "notification_preferences");

            migrationBuilder.DropTable(
                name: "outbox_messages");

            migrationBuilder.DropTable(
                name: "webhook_deliveries");

            migrationBuilder.DropColumn(
                name: "time_zone",
                table: "users");
        }
    }
}
