using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tidings.Data.Postgres.Migrations
{
    /// <summary>
    /// Imports made before this version kept old password values that were not bcrypt (often a password in clear) in
    /// legacy_values, where admins read them. Each becomes its shape, as the import now writes it ("withheld: plaintext,
    /// 11 characters"; the same steps as the SQLite twin), with an audit entry that names the change, never the value.
    /// </summary>
    public partial class ScrubLegacyPasswords : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The owner runs migrations and is itself subject to forced row-level security: lifted for this
            // transaction only, which holds the tables' locks until the rules are back.
            migrationBuilder.Sql("""
                ALTER TABLE legacy_values NO FORCE ROW LEVEL SECURITY;
                ALTER TABLE audit_logs NO FORCE ROW LEVEL SECURITY;
                CREATE TEMP TABLE password_scrub ON COMMIT DROP AS
                SELECT business_id, id, 'withheld: ' || CASE
                    WHEN original_value IS NULL THEN 'absent'
                    WHEN original_value = '' THEN 'empty'
                    ELSE CASE
                        WHEN btrim(original_value, E' \t\r\n') = '' THEN 'blank'
                        WHEN original_value ~ '^[0-9]+$' THEN 'digits'
                        WHEN original_value ~ '^[0-9A-Fa-f]+$' THEN CASE length(original_value)
                            WHEN 32 THEN 'md5-like hex' WHEN 40 THEN 'sha1-like hex' WHEN 64 THEN 'sha256-like hex' WHEN 128 THEN 'sha512-like hex' ELSE 'hex' END
                        WHEN original_value ~ '^\$[a-z0-9-]{1,20}\$' THEN CASE substring(original_value FROM '^\$([a-z0-9-]{1,20})\$')
                            WHEN '2a' THEN 'bcrypt-like, not usable' WHEN '2b' THEN 'bcrypt-like, not usable'
                            WHEN '2x' THEN 'bcrypt-like, not usable' WHEN '2y' THEN 'bcrypt-like, not usable'
                            WHEN '1' THEN 'md5-crypt hash' WHEN '5' THEN 'sha256-crypt hash' WHEN '6' THEN 'sha512-crypt hash'
                            WHEN 'argon2i' THEN 'argon2 hash' WHEN 'argon2d' THEN 'argon2 hash' WHEN 'argon2id' THEN 'argon2 hash'
                            WHEN 'pbkdf2' THEN 'pbkdf2 hash' WHEN 'pbkdf2-sha256' THEN 'pbkdf2 hash' WHEN 'pbkdf2-sha512' THEN 'pbkdf2 hash'
                            ELSE 'crypt-style hash of an unknown scheme' END
                        ELSE 'plaintext' END || ', ' || length(original_value) || ' characters'
                    END AS shape
                FROM legacy_values
                WHERE table_name = 'users' AND column_name = 'hashed_password'
                  AND (original_value IS NULL OR original_value NOT LIKE 'withheld: %');
                UPDATE legacy_values v SET original_value = s.shape
                FROM password_scrub s WHERE v.business_id = s.business_id AND v.id = s.id;
                INSERT INTO audit_logs (id, business_id, actor_name, table_name, record_id, action, old_values, new_values, changed_fields, created_at)
                SELECT gen_random_uuid(), s.business_id, 'system:migration ScrubLegacyPasswords', 'legacy_values', s.id::text, 'UPDATE',
                       jsonb_build_object('original_value', '***'), jsonb_build_object('original_value', s.shape),
                       '["original_value"]'::jsonb, now()
                FROM password_scrub s;
                ALTER TABLE legacy_values FORCE ROW LEVEL SECURITY;
                ALTER TABLE audit_logs FORCE ROW LEVEL SECURITY;
                """);
        }

        // The values are gone for good: going back leaves their shapes.
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
