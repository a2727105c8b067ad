using Npgsql;
using Tidings.Data.Postgres;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Data;

/// <summary>
/// A migrated Citus database holding two businesses' rows, distributed twice (`db distribute`): what the first run
/// must keep (every row, the foreign keys, the audit guards, row-level security, the grants) and that the second does
/// nothing.
/// </summary>
public sealed class CitusDistributeTests(CitusDistributeTests.TwoBusinessesDistributed fixture) : IClassFixture<CitusDistributeTests.TwoBusinessesDistributed>
{
    public sealed class TwoBusinessesDistributed : IAsyncLifetime
    {
        public MigratedCitusDatabase Database { get; } = new();
        public TenantGraph A { get; private set; } = null!;
        public TenantGraph B { get; private set; } = null!;
        public Dictionary<(string Table, Guid Business), long> RowsBefore { get; private set; } = null!;
        public List<string> ForeignKeysBefore { get; private set; } = null!;
        public CitusDistribution.Report First { get; private set; } = null!;
        public CitusDistribution.Report Second { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await Database.InitializeAsync();
            A = await TenantGraph.CreateAsync(Database);
            B = await TenantGraph.CreateAsync(Database);
            await using (var db = Database.Context(businessId: null))
            using (await db.BeginPlatformScopeAsync("before distributing"))
            {
            }
            await using var connection = (NpgsqlConnection)Database.OpenBypassConnection();
            RowsBefore = await CitusSql.RowsByBusinessAsync(connection, [A.Business.Id, B.Business.Id]);
            ForeignKeysBefore = await CitusSql.ForeignKeysAsync(connection);
            First = await Database.DistributeAsync();
            Second = await Database.DistributeAsync();
        }

        public Task DisposeAsync() => Database.DisposeAsync();
    }

    private static readonly string[] Placed = [.. CitusPlacement.Tables.Where(t => t.Value.Kind != CitusTableKind.Local).Select(t => t.Key)];

    private static readonly string[] TenantTables = [.. CitusPlacement.Tables.Where(t => t.Value.Kind == CitusTableKind.Distributed).Select(t => t.Key), "users"];

    private NpgsqlConnection Bypass() => (NpgsqlConnection)fixture.Database.OpenBypassConnection();

    [Fact]
    public async Task Every_row_survives_on_the_shards_and_the_coordinator_keeps_no_local_copy()
    {
        await using var connection = Bypass();

        Assert.Equal(fixture.RowsBefore, await CitusSql.RowsByBusinessAsync(connection, [fixture.A.Business.Id, fixture.B.Business.Id]));
        foreach (var table in TenantTables)
            Assert.True(fixture.RowsBefore[(table, fixture.A.Business.Id)] > 0, $"the test wrote no {table} row to distribute");
        Assert.True(fixture.RowsBefore[("platform_audit_logs", Guid.Empty)] > 0);
        foreach (var table in Placed)
            Assert.Equal(0L, await CitusSql.ScalarAsync<long>(connection, $"SELECT pg_relation_size('{table}')"));
    }

    [Fact]
    public async Task Every_table_is_placed_as_CitusPlacement_says_and_each_has_its_line()
    {
        await using var connection = Bypass();
        var placed = new Dictionary<string, (string Type, string Column, int Colocation)>();
        await using (var command = new NpgsqlCommand("SELECT table_name::text, citus_table_type, distribution_column, colocation_id FROM citus_tables", connection))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                placed[reader.GetString(0)] = (reader.GetString(1), reader.GetString(2), reader.GetInt32(3));

        var rootColocation = placed[CitusPlacement.ColocationRoot].Colocation;
        foreach (var (table, (kind, _)) in CitusPlacement.Tables)
        {
            var expected = kind switch
            {
                CitusTableKind.Reference => ("reference", "<none>", placed[table].Colocation),
                CitusTableKind.Distributed => ("distributed", "business_id", rootColocation),
                _ => default,
            };
            Assert.Equal(expected, placed.GetValueOrDefault(table));
        }
        Assert.Equal(Placed.Length, fixture.First.Placed);
        Assert.Equal(CitusPlacement.Tables.Count, fixture.First.Lines.Count);
        foreach (var (table, (kind, _)) in CitusPlacement.Tables)
            Assert.Single(fixture.First.Lines, l => l.StartsWith($"{table}: {(kind == CitusTableKind.Local ? "stays" : "now")} ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_run_changes_nothing_and_says_every_table_is_already_placed()
    {
        Assert.Equal(0, fixture.Second.Placed);
        Assert.Equal(CitusPlacement.Tables.Count, fixture.Second.Lines.Count);
        foreach (var (table, (kind, _)) in CitusPlacement.Tables)
            Assert.Single(fixture.Second.Lines, l => l.StartsWith($"{table}: {(kind == CitusTableKind.Local ? "stays" : "already")} ", StringComparison.Ordinal));
        await using var connection = Bypass();
        Assert.Equal(fixture.ForeignKeysBefore, await CitusSql.ForeignKeysAsync(connection));
    }

    [Fact]
    public async Task Foreign_keys_are_made_again_and_enforced_on_the_shards()
    {
        await using var connection = Bypass();
        Assert.Equal(fixture.ForeignKeysBefore, await CitusSql.ForeignKeysAsync(connection));
        Assert.Contains(fixture.ForeignKeysBefore, k => k.StartsWith("events fk_events_clients_business_id_client_id ", StringComparison.Ordinal));

        await using var raw = new RawSql(fixture.Database);
        var missingClient = await Assert.ThrowsAsync<PostgresException>(() => raw.InsertEventAsync(fixture.A.Business.Id, Guid.NewGuid()));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, missingClient.SqlState);
        var othersClient = await Assert.ThrowsAsync<PostgresException>(() => raw.InsertEventAsync(fixture.A.Business.Id, fixture.B.Row<Tidings.Clients.Client>().Id));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, othersClient.SqlState);
    }

    [Fact]
    public async Task Both_audit_tables_refuse_update_delete_and_truncate_even_from_a_superuser()
    {
        await using var connection = Bypass();
        var before = await CitusSql.ScalarAsync<long>(connection, "SELECT count(*) FROM audit_logs");
        foreach (var statement in new[]
                 {
                     "UPDATE audit_logs SET action = 'X'", "DELETE FROM audit_logs", "TRUNCATE audit_logs",
                     "UPDATE platform_audit_logs SET actor_name = 'someone else'", "DELETE FROM platform_audit_logs", "TRUNCATE platform_audit_logs",
                 })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => CitusSql.ExecuteAsync(connection, statement));
            Assert.Contains("append-only", refused.MessageText);
        }
        Assert.Equal(before, await CitusSql.ScalarAsync<long>(connection, "SELECT count(*) FROM audit_logs"));
    }

    [Fact]
    public async Task The_app_role_in_a_citus_tenant_session_sees_exactly_its_business_rows()
    {
        await using var app = new NpgsqlConnection(fixture.Database.Settings.ConnectionString);
        await app.OpenAsync();
        var (a, b) = (fixture.A.Business.Id, fixture.B.Business.Id);
        foreach (var table in TenantTables)
        {
            Assert.Equal(fixture.RowsBefore[(table, a)], await CitusSql.CountAsTenantAsync(app, a, $"SELECT count(*) FROM {table}"));
            Assert.Equal(0L, await CitusSql.CountAsTenantAsync(app, a, $"SELECT count(*) FROM {table} WHERE business_id = '{b}'"));
        }
        Assert.Equal(fixture.RowsBefore[("events", b)], await CitusSql.CountAsTenantAsync(app, b, "SELECT count(*) FROM events"));
    }

    [Fact]
    public async Task Grants_forced_row_level_security_and_statistics_reach_every_shard_and_the_functions_every_worker()
    {
        await using var connection = Bypass();
        var app = PostgresServer.AppRole;
        foreach (var table in Placed)
        {
            var appendOnly = table is "audit_logs" or "platform_audit_logs";
            var expected = $"t t {(appendOnly ? "f f f" : "t t f")} t 1";
            var shards = await CitusSql.OnShardsAsync(connection, table, $"""
                SELECT concat_ws(' ', has_table_privilege('{app}', '%1$s', 'SELECT'), has_table_privilege('{app}', '%1$s', 'INSERT'),
                    has_table_privilege('{app}', '%1$s', 'UPDATE'), has_table_privilege('{app}', '%1$s', 'DELETE'),
                    has_table_privilege('{app}', '%1$s', 'TRUNCATE'),
                    (SELECT relforcerowsecurity FROM pg_class WHERE oid = '%1$s'::regclass),
                    (SELECT least(count(*), 1) FROM pg_policy WHERE polrelid = '%1$s'::regclass))
                """);
            Assert.NotEmpty(shards);
            Assert.All(shards, s => Assert.Equal(expected, s));
        }
        // Never analyzed reads -1; an analyzed shard, its row count.
        Assert.All(await CitusSql.OnShardsAsync(connection, "events", "SELECT reltuples >= 0 FROM pg_class WHERE oid = '%1$s'::regclass"), s => Assert.Equal("t", s));

        await using var command = new NpgsqlCommand("""
            SELECT result FROM run_command_on_workers($$SELECT string_agg(proname, ',' ORDER BY proname) FROM pg_proc
                WHERE proname IN ('tidings_current_business', 'tidings_platform_scope', 'audit_logs_append_only', 'platform_audit_logs_append_only')$$)
            """, connection);
        var workers = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                workers.Add(reader.GetString(0));
        Assert.Equal(fixture.Database.Workers.Count, workers.Count);
        Assert.All(workers, w => Assert.Equal("audit_logs_append_only,platform_audit_logs_append_only,tidings_current_business,tidings_platform_scope", w));
    }
}

/// <summary>Distributing refuses what it cannot place, and a failure part way leaves the database as it was.</summary>
public sealed class CitusDistributeRefusalTests : IAsyncLifetime
{
    private readonly MigratedCitusDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    private async Task<long> PlacedTablesAsync(NpgsqlConnection connection) =>
        await CitusSql.ScalarAsync<long>(connection, "SELECT count(*) FROM pg_dist_partition WHERE logicalrelid::regclass::text NOT LIKE 'pg_%'");

    [Fact]
    public async Task A_table_missing_from_CitusPlacement_is_refused_by_name_and_nothing_is_placed()
    {
        await using var connection = (NpgsqlConnection)_database.OpenBypassConnection();
        await CitusSql.ExecuteAsync(connection, $"CREATE TABLE stray_notes (business_id uuid NOT NULL); ALTER TABLE stray_notes OWNER TO {PostgresServer.OwnerRole}");

        var refused = await Assert.ThrowsAsync<VerbFailedException>(_database.DistributeAsync);

        Assert.Contains("stray_notes", refused.Message);
        Assert.Contains("CitusPlacement", refused.Message);
        Assert.Equal(0L, await PlacedTablesAsync(connection));
    }

    [Fact]
    public async Task A_failure_part_way_leaves_the_database_as_it_was_and_a_rerun_after_the_fix_finishes()
    {
        var graph = await TenantGraph.CreateAsync(_database);
        await using var connection = (NpgsqlConnection)_database.OpenBypassConnection();
        // Citus cannot keep a foreign key from a distributed table to a local one: making the keys again, the last
        // step, fails after every table was placed.
        await CitusSql.ExecuteAsync(connection, """
            ALTER TABLE tags ADD CONSTRAINT fk_probe_local FOREIGN KEY (name) REFERENCES "__EFMigrationsHistory" (migration_id) NOT VALID
            """);
        var rowsBefore = await CitusSql.RowsByBusinessAsync(connection, [graph.Business.Id]);
        var keysBefore = await CitusSql.ForeignKeysAsync(connection);
        var snapshot = await graph.SnapshotAsync();

        await Assert.ThrowsAsync<PostgresException>(_database.DistributeAsync);

        Assert.Equal(0L, await PlacedTablesAsync(connection));
        Assert.Equal(keysBefore, await CitusSql.ForeignKeysAsync(connection));
        Assert.Equal(rowsBefore, await CitusSql.RowsByBusinessAsync(connection, [graph.Business.Id]));
        Assert.Equal(snapshot, await graph.SnapshotAsync());

        await CitusSql.ExecuteAsync(connection, "ALTER TABLE tags DROP CONSTRAINT fk_probe_local");
        var rerun = await _database.DistributeAsync();

        Assert.Equal(CitusPlacement.Tables.Count(t => t.Value.Kind != CitusTableKind.Local), rerun.Placed);
        Assert.Equal(rowsBefore, await CitusSql.RowsByBusinessAsync(connection, [graph.Business.Id]));
    }
}

/// <summary>Raw SQL on a Citus coordinator, for the distribution tests.</summary>
internal static class CitusSql
{
    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Rows of every table of CitusPlacement by business (Guid.Empty: a table with no business_id), read around row-level security.</summary>
    public static async Task<Dictionary<(string Table, Guid Business), long>> RowsByBusinessAsync(NpgsqlConnection connection, Guid[] businesses)
    {
        var rows = new Dictionary<(string, Guid), long>();
        foreach (var table in CitusPlacement.Tables.Keys)
        {
            var quoted = new NpgsqlCommandBuilder().QuoteIdentifier(table);
            if (table is "platform_audit_logs" or "__EFMigrationsHistory")
                rows[(table, Guid.Empty)] = await ScalarAsync<long>(connection, $"SELECT count(*) FROM {quoted}");
            else
                foreach (var business in businesses)
                    rows[(table, business)] = await ScalarAsync<long>(connection,
                        $"SELECT count(*) FROM {quoted} WHERE {(table == "businesses" ? "id" : "business_id")} = '{business}'");
        }
        return rows;
    }

    /// <summary>The foreign keys of the schema's tables (not of the shards Citus keeps beside them), each as "table name definition".</summary>
    public static async Task<List<string>> ForeignKeysAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("""
            SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
            WHERE contype = 'f' AND connamespace = 'public'::regnamespace AND conrelid::regclass::text = ANY(@tables)
            ORDER BY 1
            """, connection);
        command.Parameters.AddWithValue("tables", CitusPlacement.Tables.Keys.ToArray());
        var keys = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            keys.Add(reader.GetString(0));
        return keys;
    }

    /// <summary>
    /// A count as the app role, in the tenant session that works on Citus: SET LOCAL statements that Citus forwards to
    /// the workers (set_config stays on the coordinator, and the policies on the shards would read no business).
    /// </summary>
    public static async Task<long> CountAsTenantAsync(NpgsqlConnection app, Guid business, string sql)
    {
        await using var transaction = await app.BeginTransactionAsync();
        await ExecuteAsync(app, $"""
            SET LOCAL citus.propagate_set_commands = 'local';
            SET LOCAL app.business_id = '{business}';
            SET LOCAL app.platform_scope = 'off';
            """);
        var count = await ScalarAsync<long>(app, sql);
        await transaction.CommitAsync();
        return count;
    }

    /// <summary>What <paramref name="sql"/> answers on each shard of <paramref name="table"/> (%1$s is the shard's name).</summary>
    public static async Task<List<string>> OnShardsAsync(NpgsqlConnection connection, string table, string sql)
    {
        await using var command = new NpgsqlCommand("SELECT success, result FROM run_command_on_shards(@table::regclass, @sql)", connection);
        command.Parameters.AddWithValue("table", new NpgsqlCommandBuilder().QuoteIdentifier(table));
        command.Parameters.AddWithValue("sql", sql);
        var results = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            Assert.True(reader.GetBoolean(0), $"on a shard of {table}: {reader.GetString(1)}");
            results.Add(reader.GetString(1));
        }
        return results;
    }
}
