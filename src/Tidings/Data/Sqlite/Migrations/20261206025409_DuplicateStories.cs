using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tidings.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class DuplicateStories : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Brings the stories written before this version to the rules Events/Stories.cs keeps (the same steps as the PostgreSQL twin).
            migrationBuilder.Sql("""
                CREATE TEMP TABLE story_repairs (business_id TEXT NOT NULL, id TEXT NOT NULL, old_original TEXT, PRIMARY KEY (business_id, id));

                -- 1. Links no story may have (to itself, to a copy, to another client's event) are undone; each such
                --    event then joins the oldest earlier original of its client with the same content, if any.
                INSERT INTO story_repairs
                SELECT e.business_id, e.id, e.duplicate_of_event_id
                FROM events e JOIN events o ON o.business_id = e.business_id AND o.id = e.duplicate_of_event_id
                WHERE o.id = e.id OR o.duplicate_of_event_id IS NOT NULL OR o.client_id <> e.client_id;
                UPDATE events SET duplicate_of_event_id = NULL
                WHERE (business_id, id) IN (SELECT business_id, id FROM story_repairs);
                UPDATE events SET duplicate_of_event_id = (
                    SELECT o.id FROM events o
                    WHERE o.business_id = events.business_id AND o.client_id = events.client_id AND o.content_hash = events.content_hash
                      AND o.duplicate_of_event_id IS NULL AND (o.created_at, o.id) < (events.created_at, events.id)
                    ORDER BY o.created_at, o.id LIMIT 1)
                WHERE (business_id, id) IN (SELECT business_id, id FROM story_repairs);

                -- 2. A deleted original with live copies hid them from the feed: its oldest live copy becomes the
                --    original, and the deleted original and the other copies point at it.
                CREATE TEMP TABLE story_heirs AS
                SELECT o.business_id, o.id AS original_id,
                       (SELECT c.id FROM events c
                        WHERE c.business_id = o.business_id AND c.duplicate_of_event_id = o.id AND NOT c.is_deleted
                        ORDER BY c.created_at, c.id LIMIT 1) AS heir_id
                FROM events o WHERE o.is_deleted AND o.duplicate_of_event_id IS NULL;
                DELETE FROM story_heirs WHERE heir_id IS NULL;
                INSERT OR IGNORE INTO story_repairs
                SELECT e.business_id, e.id, e.duplicate_of_event_id
                FROM events e JOIN story_heirs h ON e.business_id = h.business_id AND (e.id = h.original_id OR e.duplicate_of_event_id = h.original_id);
                UPDATE events SET duplicate_of_event_id = (
                    SELECT h.heir_id FROM story_heirs h
                    WHERE h.business_id = events.business_id AND h.heir_id <> events.id
                      AND (h.original_id = events.id OR h.original_id = events.duplicate_of_event_id))
                WHERE (business_id, id) IN (SELECT business_id, original_id FROM story_heirs)
                   OR (business_id, duplicate_of_event_id) IN (SELECT business_id, original_id FROM story_heirs);

                -- 3. Every event that changed gets a new row version and an audit entry, as any update does.
                UPDATE events SET updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now')
                WHERE EXISTS (SELECT 1 FROM story_repairs r WHERE r.business_id = events.business_id AND r.id = events.id
                              AND r.old_original IS NOT events.duplicate_of_event_id);
                INSERT INTO audit_logs (id, business_id, actor_name, table_name, record_id, action, old_values, new_values, changed_fields, created_at)
                SELECT hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(6)),
                       e.business_id, 'system:migration DuplicateStories', 'events', lower(e.id), 'UPDATE',
                       json_object('duplicate_of_event_id', lower(r.old_original)), json_object('duplicate_of_event_id', lower(e.duplicate_of_event_id)),
                       '["duplicate_of_event_id"]', strftime('%Y-%m-%d %H:%M:%f', 'now')
                FROM story_repairs r JOIN events e ON e.business_id = r.business_id AND e.id = r.id
                WHERE r.old_original IS NOT e.duplicate_of_event_id;

                DROP TABLE story_repairs;
                DROP TABLE story_heirs;
                """);

            migrationBuilder.DropForeignKey(
                name: "fk_events_events_business_id_duplicate_of_event_id",
                table: "events");

            migrationBuilder.AddForeignKey(
                name: "fk_events_events_business_id_duplicate_of_event_id",
                table: "events",
                columns: new[] { "business_id", "duplicate_of_event_id" },
                principalTable: "events",
                principalColumns: new[] { "business_id", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_events_events_business_id_duplicate_of_event_id",
                table: "events");

            migrationBuilder.AddForeignKey(
                name: "fk_events_events_business_id_duplicate_of_event_id",
                table: "events",
                columns: new[] { "business_id", "duplicate_of_event_id" },
                principalTable: "events",
                principalColumns: new[] { "business_id", "id" },
                onDelete: ReferentialAction.Restrict);
        }
    }
}
