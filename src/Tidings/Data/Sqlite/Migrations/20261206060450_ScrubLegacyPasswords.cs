using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tidings.Data.Sqlite.Migrations
{
    /// <summary>
    /// Imports made before this version kept old password values that were not bcrypt (often a password in clear) in
    /// legacy_values, where admins read them. Each becomes its shape, as the import now writes it ("withheld: plaintext,
    /// 11 characters"; the same steps as the PostgreSQL twin), with an audit entry that names the change, never the value.
    /// </summary>
    public partial class ScrubLegacyPasswords : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // SQLite has no regular expressions: GLOB classes say the same, and the crypt scheme is what lies between the
            // first two dollar signs.
            migrationBuilder.Sql("""
                CREATE TEMP TABLE password_scrub AS
                SELECT business_id, id, 'withheld: ' || CASE
                    WHEN original_value IS NULL THEN 'absent'
                    WHEN original_value = '' THEN 'empty'
                    ELSE CASE
                        WHEN trim(original_value, ' ' || char(9) || char(13) || char(10)) = '' THEN 'blank'
                        WHEN original_value NOT GLOB '*[^0-9]*' THEN 'digits'
                        WHEN original_value NOT GLOB '*[^0-9A-Fa-f]*' THEN CASE length(original_value)
                            WHEN 32 THEN 'md5-like hex' WHEN 40 THEN 'sha1-like hex' WHEN 64 THEN 'sha256-like hex' WHEN 128 THEN 'sha512-like hex' ELSE 'hex' END
                        WHEN original_value GLOB '$?*$*' AND instr(substr(original_value, 2), '$') BETWEEN 2 AND 21
                             AND substr(original_value, 2, instr(substr(original_value, 2), '$') - 1) NOT GLOB '*[^a-z0-9-]*'
                            THEN CASE substr(original_value, 2, instr(substr(original_value, 2), '$') - 1)
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
                UPDATE legacy_values SET original_value = (
                    SELECT s.shape FROM password_scrub s WHERE s.business_id = legacy_values.business_id AND s.id = legacy_values.id)
                WHERE EXISTS (SELECT 1 FROM password_scrub s WHERE s.business_id = legacy_values.business_id AND s.id = legacy_values.id);
                INSERT INTO audit_logs (id, business_id, actor_name, table_name, record_id, action, old_values, new_values, changed_fields, created_at)
                SELECT hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(6)),
                       s.business_id, 'system:migration ScrubLegacyPasswords', 'legacy_values', lower(s.id), 'UPDATE',
                       json_object('original_value', '***'), json_object('original_value', s.shape),
                       '["original_value"]', strftime('%Y-%m-%d %H:%M:%f', 'now')
                FROM password_scrub s;
                DROP TABLE password_scrub;
                """);
        }

        // The values are gone for good: going back leaves their shapes.
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
