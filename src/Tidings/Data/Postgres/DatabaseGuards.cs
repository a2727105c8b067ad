using Microsoft.EntityFrameworkCore.Migrations;

namespace Tidings.Data.Postgres;

/// <summary>
/// The PostgreSQL half of the rules, as migration SQL: row-level security on every tenant-owned table
/// and an append-only audit table. Later migrations that add a tenant-owned table call
/// <see cref="EnableRowLevelSecurity"/> for it; a test fails for any table that lacks it.
/// </summary>
public static class DatabaseGuards
{
    public const string BusinessSetting = "app.business_id";
    public const string PlatformSetting = "app.platform_scope";

    public static void CreateFunctions(MigrationBuilder migration)
    {
        migration.Sql($"""
            CREATE FUNCTION tidings_current_business() RETURNS uuid LANGUAGE sql STABLE AS
            $$ SELECT NULLIF(current_setting('{BusinessSetting}', true), '')::uuid $$;
            CREATE FUNCTION tidings_platform_scope() RETURNS boolean LANGUAGE sql STABLE AS
            $$ SELECT coalesce(current_setting('{PlatformSetting}', true), '') = 'on' $$;
            """);
    }

    public const string TenantProcedure = "tidings_set_tenant";

    /// <summary>
    /// Sets the business, the platform scope and how statements are planned (Tenancy.GenericPlan) for the rest of the
    /// current transaction, implicit or not. A DO block did the same in front of each statement, but PostgreSQL
    /// compiles a DO block anew every time; a procedure is compiled once per connection, and its CALL takes the
    /// business as a parameter, so its text is one statement for every business (one prepared statement, not one a
    /// business) and it returns no result set.
    /// </summary>
    public static void CreateTenantProcedure(MigrationBuilder migration) =>
        migration.Sql($"""
            CREATE PROCEDURE {TenantProcedure}(business text, platform text, plans text) LANGUAGE plpgsql AS $$
            BEGIN
                -- One statement, not three: each is a call into the executor, and this runs in front of most statements.
                PERFORM set_config('{BusinessSetting}', business, true), set_config('{PlatformSetting}', platform, true),
                    set_config('plan_cache_mode', plans, true);
            END $$;
            """);

    /// <summary>
    /// The procedure as it is since Citus (issue 12): the business and the platform scope are set with SET LOCAL,
    /// which Citus repeats on every worker the transaction reaches once citus.propagate_set_commands is 'local' in
    /// that transaction; set_config() it never repeats, so the policies on the shards saw no business and no rows.
    /// Without Citus the first SET only names a setting nothing reads. Only the coordinator plans a statement, so the
    /// plan cache mode stays a set_config(). A SET takes no parameters, so the values go in through format(%L);
    /// the CALL itself keeps one text for every business.
    /// </summary>
    public static void ReplaceTenantProcedure(MigrationBuilder migration) =>
        migration.Sql($"""
            CREATE OR REPLACE PROCEDURE {TenantProcedure}(business text, platform text, plans text) LANGUAGE plpgsql AS $$
            BEGIN
                SET LOCAL citus.propagate_set_commands = 'local';
                EXECUTE format('SET LOCAL {BusinessSetting} = %L; SET LOCAL {PlatformSetting} = %L', business, platform);
                PERFORM set_config('plan_cache_mode', plans, true);
            END $$;
            """);

    /// <summary>
    /// The tables the platform scope reaches (sign-up and login look up emails and slugs; its own audit
    /// entries have no business). Business data stays out of it: cross-business reads of clients or events
    /// have no use, and a table with the tenant policy alone lets PostgreSQL fold the policy and the query's
    /// own business condition into one (a one-time check), instead of counting the business twice and
    /// guessing the large business's rows five times too few (issue 5's feed benchmark: 67 ms for a deep
    /// page instead of 1 ms).
    /// </summary>
    public static readonly IReadOnlyList<string> PlatformScopeTables = ["businesses", "users", "audit_logs"];

    /// <summary>
    /// Business tables the platform scope may only read, for the monitor's claim of due work (DueWorkLookup): policy
    /// platform_due_work, FOR SELECT. Their queries are a business's few sources, where the OR-ed policy costs nothing.
    /// </summary>
    public static readonly IReadOnlyList<string> DueWorkTables = ["sources", "outbox_messages", "notification_preferences"];

    /// <summary>Tables of no business, whose only policy is the platform scope's: the platform's own audit entries.</summary>
    public static readonly IReadOnlyList<string> PlatformOnlyTables = ["platform_audit_logs"];

    /// <summary>
    /// Row-level security on a tenant-owned table: rows of the current business only, and with
    /// <paramref name="platformScope"/> any row inside an open platform scope (see <see cref="PlatformScopeTables"/>).
    /// </summary>
    public static void EnableRowLevelSecurity(MigrationBuilder migration, string table, string businessColumn = "business_id", bool platformScope = false)
    {
        migration.Sql($"""
            ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
            ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
            CREATE POLICY tenant_isolation ON {table}
                USING ({businessColumn} = tidings_current_business())
                WITH CHECK ({businessColumn} = tidings_current_business());
            """);
        if (platformScope)
            EnablePlatformScope(migration, table);
    }

    public static void EnablePlatformScope(MigrationBuilder migration, string table) =>
        migration.Sql($"""
            CREATE POLICY platform_scope ON {table}
                USING (tidings_platform_scope())
                WITH CHECK (tidings_platform_scope());
            """);

    /// <summary>
    /// Tells the planner that business_id follows from the table's other ids (a user, an event, a client
    /// belongs to one business). Without it PostgreSQL multiplies the selectivity of "this business" and
    /// "this user" as if they were independent: for the median business's owner it expected 23 of their
    /// 4,468 interactions, scanned them all once per feed row instead of probing the unique index, and
    /// the first page took 36 ms instead of 1 ms at a million events (350 ms at ten million). Every
    /// tenant-owned table whose queries combine business_id with another id gets one.
    /// </summary>
    public static void CreateTenantStatistics(MigrationBuilder migration, string table, params string[] columns) =>
        migration.Sql($"CREATE STATISTICS st_{table}_business (dependencies) ON business_id, {string.Join(", ", columns)} FROM {table}; ANALYZE {table};");

    public static void MakeAppendOnly(MigrationBuilder migration, string table)
    {
        migration.Sql($"""
            CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{table} is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
            END $$;
            CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION {table}_append_only();
            CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only();
            """);
    }
}
