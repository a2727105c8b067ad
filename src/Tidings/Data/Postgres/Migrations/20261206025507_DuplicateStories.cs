using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tidings.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class DuplicateStories : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Brings the stories written before this version to the rules Events/Stories.cs keeps (the same steps as the SQLite twin).
            // The owner runs migrations and is itself subject to forced row-level security: lifted for this
            // transaction only, which holds the tables' locks until the rules are back.
            migrationBuilder.Sql("""
                ALTER TABLE events NO FORCE ROW LEVEL SECURITY;
                ALTER TABLE audit_logs NO FORCE ROW LEVEL SECURITY;
                CREATE TEMP TABLE story_repairs (business_id uuid NOT NULL, id uuid NOT NULL, old_original uuid, PRIMARY KEY (business_id, id)) ON COMMIT DROP;

                -- 1. Links no story may have (to itself, to a copy, to another client's event) are undone; each such
                --    event then joins the oldest earlier original of its client with the same content, if any.
                INSERT INTO story_repairs
                SELECT e.business_id, e.id, e.duplicate_of_event_id
                FROM events e JOIN events o ON o.business_id = e.business_id AND o.id = e.duplicate_of_event_id
                WHERE o.id = e.id OR o.duplicate_of_event_id IS NOT NULL OR o.client_id <> e.client_id;
                UPDATE events e SET duplicate_of_event_id = NULL
                FROM story_repairs r WHERE e.business_id = r.business_id AND e.id = r.id;
                UPDATE events e SET duplicate_of_event_id = (
                    SELECT o.id FROM events o
                    WHERE o.business_id = e.business_id AND o.client_id = e.client_id AND o.content_hash = e.content_hash
                      AND o.duplicate_of_event_id IS NULL AND (o.created_at, o.id) < (e.created_at, e.id)
                    ORDER BY o.created_at, o.id LIMIT 1)
                FROM story_repairs r WHERE e.business_id = r.business_id AND e.id = r.id;

                -- 2. A deleted original with live copies hid them from the feed: its oldest live copy becomes the
                --    original, and the deleted original and the other copies point at it.
                CREATE TEMP TABLE story_heirs ON COMMIT DROP AS
                SELECT o.business_id, o.id AS original_id,
                       (SELECT c.id FROM events c
                        WHERE c.business_id = o.business_id AND c.duplicate_of_event_id = o.id AND NOT c.is_deleted
                        ORDER BY c.created_at, c.id LIMIT 1) AS heir_id
                FROM events o WHERE o.is_deleted AND o.duplicate_of_event_id IS NULL;
                DELETE FROM story_heirs WHERE heir_id IS NULL;
                INSERT INTO story_repairs
                SELECT e.business_id, e.id, e.duplicate_of_event_id
                FROM events e JOIN story_heirs h ON e.business_id = h.business_id AND (e.id = h.original_id OR e.duplicate_of_event_id = h.original_id)
                ON CONFLICT DO NOTHING;
                UPDATE events e SET duplicate_of_event_id = NULL
                FROM story_heirs h WHERE e.business_id = h.business_id AND e.id = h.heir_id;
                UPDATE events e SET duplicate_of_event_id = h.heir_id
                FROM story_heirs h
                WHERE e.business_id = h.business_id AND e.id <> h.heir_id AND (e.id = h.original_id OR e.duplicate_of_event_id = h.original_id);

                -- 3. Every event that changed gets a new row version and an audit entry, as any update does.
                UPDATE events e SET updated_at = now()
                FROM story_repairs r
                WHERE e.business_id = r.business_id AND e.id = r.id AND e.duplicate_of_event_id IS DISTINCT FROM r.old_original;
                INSERT INTO audit_logs (id, business_id, actor_name, table_name, record_id, action, old_values, new_values, changed_fields, created_at)
                SELECT gen_random_uuid(), e.business_id, 'system:migration DuplicateStories', 'events', e.id::text, 'UPDATE',
                       jsonb_build_object('duplicate_of_event_id', r.old_original), jsonb_build_object('duplicate_of_event_id', e.duplicate_of_event_id),
                       '["duplicate_of_event_id"]'::jsonb, now()
                FROM story_repairs r JOIN events e ON e.business_id = r.business_id AND e.id = r.id
                WHERE e.duplicate_of_event_id IS DISTINCT FROM r.old_original;

                ALTER TABLE events FORCE ROW LEVEL SECURITY;
                ALTER TABLE audit_logs FORCE ROW LEVEL SECURITY;
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
