using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Tidings.Data;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Data;

/// <summary>
/// The checked-in migrations are the model, and the schema they build carries what the rules and a
/// later move to Citus rely on: the seed's indexes and business_id in every key of tenant-owned data.
/// </summary>
public abstract class MigrationTests(TestDatabase database)
{
    private static readonly string[] SeedIndexes =
    [
        "ix_clients_business_active", "ix_clients_business_deleted",
        "ix_events_business_client", "ix_events_business_date", "ix_events_business_category",
        "ix_events_business_deleted", "ix_events_content_hash",
        "ix_event_user_unique", "ix_tags_business_name", "ix_client_tags_unique", "ix_event_tags_unique",
        "ix_notifications_user_unread",
    ];

    private static readonly string[] SeedUniqueIndexes =
        ["ix_event_user_unique", "ix_tags_business_name", "ix_client_tags_unique", "ix_event_tags_unique"];

    /// <summary>Every table that holds one business's rows; a new one only adds to this list.</summary>
    private static readonly string[] KnownTenantOwnedTables =
        ["users", "clients", "events", "event_user_interactions", "tags", "client_tags", "event_tags", "notifications"];

    protected TestDatabase Database => database;

    [Fact]
    public async Task The_model_has_no_changes_that_the_checked_in_migrations_miss()
    {
        await using var db = database.Context();
        Assert.False(db.Database.HasPendingModelChanges(),
            $"The {database.Provider} model differs from its migrations: add a migration for both providers.");
    }

    [Fact]
    public async Task Every_migration_is_applied_after_the_fixture_migrated()
    {
        await using var db = database.Context();
        var known = db.Database.GetMigrations().ToList();

        Assert.NotEmpty(known);
        Assert.Equal(known, await db.Database.GetAppliedMigrationsAsync());
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task Migrating_again_applies_nothing()
    {
        var applied = await DatabaseCommands.MigrateAsync(database.Settings, CancellationToken.None);

        Assert.Empty(applied);
    }

    [Fact]
    public async Task Every_index_the_seed_names_exists_and_its_unique_ones_are_unique()
    {
        var indexes = (await IndexesAsync()).ToDictionary(i => i.Name);

        Assert.All(SeedIndexes, name => Assert.True(indexes.ContainsKey(name), $"missing index {name}"));
        Assert.All(SeedUniqueIndexes, name => Assert.True(indexes[name].Unique, $"{name} is not unique"));
    }

    [Fact]
    public async Task Every_primary_key_of_a_tenant_owned_table_is_business_id_and_id()
    {
        var tenantOwned = await TenantOwnedTablesAsync();
        var primaryKeys = (await IndexesAsync()).Where(i => i.Primary).ToDictionary(i => i.Table);

        Assert.All(tenantOwned, table =>
        {
            Assert.True(primaryKeys.TryGetValue(table, out var key), $"{table} has no primary key");
            Assert.Equal(["business_id", "id"], key.Columns);
        });
    }

    [Fact]
    public async Task Every_unique_index_of_a_tenant_owned_table_includes_business_id()
    {
        // users is a reference table on Citus (docs/scaling.md): its login email is unique across all
        // businesses on purpose, and a replicated table can enforce that. Its primary key is checked above.
        var tenantOwned = (await TenantOwnedTablesAsync()).Except(["users"]).ToHashSet();
        var unique = (await IndexesAsync()).Where(i => i.Unique && tenantOwned.Contains(i.Table)).ToList();

        Assert.Contains(unique, i => i.Name == "ix_tags_business_name");
        Assert.All(unique, index => Assert.True(index.Columns.Contains("business_id"),
            $"{index.Table}.{index.Name} ({string.Join(", ", index.Columns)}) lacks business_id"));
    }

    /// <summary>Tables with a business_id column, less audit_logs (its business_id is null for platform entries).</summary>
    private async Task<List<string>> TenantOwnedTablesAsync()
    {
        var sql = database.Provider == DatabaseProvider.Sqlite
            ? "SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table' AND c.name = 'business_id'"
            : "SELECT table_name::text FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'business_id'";
        var tables = (await RowsAsync(sql)).Select(r => (string)r[0]).Where(t => t != "audit_logs").ToList();
        // Guards the queries themselves: a filter that found nothing would pass every check above.
        Assert.Superset(KnownTenantOwnedTables.ToHashSet(), tables.ToHashSet());
        return tables;
    }

    protected sealed record IndexInfo(string Table, string Name, bool Unique, bool Primary, IReadOnlyList<string> Columns);

    /// <summary>Every index and primary key of the schema, with its columns in order.</summary>
    protected async Task<List<IndexInfo>> IndexesAsync()
    {
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            var indexes = (await RowsAsync("""
                    SELECT m.name, l.name, l."unique", i.name
                    FROM sqlite_master m JOIN pragma_index_list(m.name) l JOIN pragma_index_info(l.name) i
                    WHERE m.type = 'table' ORDER BY m.name, l.name, i.seqno
                    """))
                .GroupBy(r => ((string)r[0], (string)r[1], (long)r[2] == 1))
                .Select(g => new IndexInfo(g.Key.Item1, g.Key.Item2, g.Key.Item3, false, g.Select(r => (string)r[3]).ToList()));
            // A SQLite primary key is read from the table itself, whether or not it made an index.
            var keys = (await RowsAsync("""
                    SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
                    WHERE m.type = 'table' AND c.pk > 0 ORDER BY m.name, c.pk
                    """))
                .GroupBy(r => (string)r[0])
                .Select(g => new IndexInfo(g.Key, "pk_" + g.Key, true, true, g.Select(r => (string)r[1]).ToList()));
            return [.. indexes, .. keys];
        }
        return (await RowsAsync("""
                SELECT t.relname::text, i.relname::text, x.indisunique, x.indisprimary, coalesce(a.attname::text, '(expression)')
                FROM pg_index x
                JOIN pg_class t ON t.oid = x.indrelid
                JOIN pg_class i ON i.oid = x.indexrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                WHERE n.nspname = 'public'
                ORDER BY 1, 2, k.ord
                """))
            .GroupBy(r => ((string)r[0], (string)r[1], (bool)r[2], (bool)r[3]))
            .Select(g => new IndexInfo(g.Key.Item1, g.Key.Item2, g.Key.Item3, g.Key.Item4, g.Select(r => (string)r[4]).ToList()))
            .ToList();
    }

    /// <summary>Reads through the bypass connection: the schema as the database holds it.</summary>
    protected async Task<List<object[]>> RowsAsync(string sql)
    {
        await using var connection = database.OpenBypassConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using DbDataReader reader = await command.ExecuteReaderAsync();
        var rows = new List<object[]>();
        while (await reader.ReadAsync())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }
        return rows;
    }
}

public sealed class MigrationTests_Sqlite(SqliteDatabase db) : MigrationTests(db), IClassFixture<SqliteDatabase>;

public sealed class MigrationTests_Postgres(PostgresDatabase db) : MigrationTests(db), IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Ids_are_native_uuid_and_times_are_timestamptz()
    {
        var columns = (await RowsAsync("""
                SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
                WHERE table_schema = 'public' AND table_name <> '__EFMigrationsHistory'
                """))
            .Select(r => (Table: (string)r[0], Column: (string)r[1], Type: (string)r[2])).ToList();

        // audit_logs.record_id names a row of any table as text, as the seed has it, and the legacy tables' old_id is
        // the old app's integer key; every other *_id is a key.
        var ids = columns.Where(c => (c.Column == "id" || c.Column.EndsWith("_id")) && c is not { Table: "audit_logs" or "platform_audit_logs", Column: "record_id" } && c.Column != "old_id").ToList();
        var times = columns.Where(c => c.Column.EndsWith("_at") || c.Column == "event_date").ToList();

        Assert.Contains(ids, c => (c.Table, c.Column) == ("events", "client_id"));
        Assert.Contains(times, c => (c.Table, c.Column) == ("events", "event_date"));
        Assert.All(ids, c => Assert.True(c.Type == "uuid", $"{c.Table}.{c.Column} is {c.Type}"));
        Assert.All(times, c => Assert.True(c.Type == "timestamp with time zone", $"{c.Table}.{c.Column} is {c.Type}"));
        Assert.DoesNotContain(columns, c => c.Type == "timestamp without time zone");
    }

    [Fact]
    public async Task Every_table_with_business_id_forces_row_level_security_with_a_policy()
    {
        var tables = (await RowsAsync("""
                SELECT c.relname::text, c.relrowsecurity, c.relforcerowsecurity,
                       (SELECT count(*) FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname)
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind = 'r' AND EXISTS (
                    SELECT 1 FROM information_schema.columns k
                    WHERE k.table_schema = 'public' AND k.table_name = c.relname AND k.column_name = 'business_id')
                """))
            .Select(r => (Table: (string)r[0], Enabled: (bool)r[1], Forced: (bool)r[2], Policies: (long)r[3])).ToList();

        Assert.Contains(tables, t => t.Table == "audit_logs");
        Assert.Superset(new HashSet<string>(["users", "clients", "events", "event_user_interactions", "tags", "client_tags", "event_tags", "notifications"]), tables.Select(t => t.Table).ToHashSet());
        Assert.All(tables, t =>
        {
            Assert.True(t.Enabled, $"{t.Table}: row-level security is off");
            Assert.True(t.Forced, $"{t.Table}: row-level security is not forced");
            Assert.True(t.Policies > 0, $"{t.Table}: no policy");
        });
    }

    [Fact]
    public async Task Business_data_has_only_the_tenant_policy_and_dependency_statistics_on_its_ids()
    {
        var policies = (await RowsAsync("SELECT tablename::text, policyname::text FROM pg_policies WHERE schemaname = 'public'"))
            .Select(r => (Table: (string)r[0], Policy: (string)r[1])).ToList();
        // A second, OR-ed policy on business data would stop the planner folding the tenant check into the query's own.
        Assert.Equal(
            Tidings.Data.Postgres.DatabaseGuards.PlatformScopeTables.Concat(Tidings.Data.Postgres.DatabaseGuards.PlatformOnlyTables).Order().ToList(),
            policies.Where(p => p.Policy == "platform_scope").Select(p => p.Table).Order().ToList());
        Assert.Equal(Tidings.Data.Postgres.DatabaseGuards.DueWorkTables.Order().ToList(),
            policies.Where(p => p.Policy == "platform_due_work").Select(p => p.Table).Order().ToList());
        Assert.All(policies.Where(p => p.Policy is not ("platform_scope" or "platform_due_work")), p => Assert.Equal("tenant_isolation", p.Policy));

        var statistics = (await RowsAsync("""
                SELECT c.relname::text, array_to_string(array(SELECT a.attname::text FROM pg_attribute a
                       WHERE a.attrelid = s.stxrelid AND a.attnum = ANY (s.stxkeys) ORDER BY a.attname), ',')
                FROM pg_statistic_ext s JOIN pg_class c ON c.oid = s.stxrelid
                WHERE 'f' = ANY (s.stxkind)
                """))
            .ToDictionary(r => (string)r[0], r => (string)r[1]);
        Assert.Equal("business_id,event_id,user_id", statistics["event_user_interactions"]);
        Assert.Equal("business_id,client_id", statistics["events"]);
        Assert.Equal("business_id,event_id,tag_id", statistics["event_tags"]);
    }

    [Fact]
    public async Task Tables_are_owned_by_the_owner_role_not_the_app_role()
    {
        var owners = (await RowsAsync("SELECT tablename::text, tableowner::text FROM pg_tables WHERE schemaname = 'public'"))
            .Select(r => (Table: (string)r[0], Owner: (string)r[1])).ToList();

        Assert.Contains(owners, o => o.Table == "clients");
        Assert.All(owners, o => Assert.True(o.Owner == PostgresDatabase.OwnerRole, $"{o.Table} is owned by {o.Owner}"));
        Assert.Equal(PostgresDatabase.AppRole, DatabaseSetup.UserOf(Database.Settings.ConnectionString));
    }
}
