using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;

namespace Tidings.Data.Postgres;

/// <summary>
/// `tidings db distribute`: turns a migrated Tidings database on a Citus coordinator into a distributed one, each table
/// placed as <see cref="CitusPlacement"/> says. All of it runs in one transaction as the owner, so a failure leaves the
/// database as it was, and a second run finds every table placed and changes nothing.
/// </summary>
public static class CitusDistribution
{
    /// <summary>What one run did: a line per table, and how many tables it placed.</summary>
    public sealed record Report(IReadOnlyList<string> Lines, int Placed, TimeSpan Took);

    public static async Task<Report> DistributeAsync(DatabaseSettings settings, CancellationToken ct)
    {
        if (settings.Provider != DatabaseProvider.Postgres)
            throw new UsageException($"db distribute needs PostgreSQL with Citus; Database:Provider is {settings.Provider}: nothing was changed.");
        var clock = Stopwatch.StartNew();
        // Distributing a large table copies its rows inside the transaction: no statement timeout applies.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(settings.MigrationConnectionString) { CommandTimeout = 0 }.ConnectionString);
        await connection.OpenAsync(ct);
        await RefuseWithoutCitusAsync(connection, ct);
        await RefuseWithPendingMigrationsAsync(settings, ct);

        var tables = await TablesAsync(connection, ct);
        var unknown = tables.Keys.Where(t => !CitusPlacement.Tables.ContainsKey(t)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
            throw new VerbFailedException($"table(s) {string.Join(", ", unknown)} not in CitusPlacement: say where each goes (Data/Postgres/CitusPlacement.cs) before distributing; nothing was changed.");
        var missing = CitusPlacement.Tables.Keys.Where(t => !tables.ContainsKey(t)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
            throw new VerbFailedException($"table(s) {string.Join(", ", missing)} of CitusPlacement missing from the database: run `tidings db migrate` first; nothing was changed.");

        var rootColocation = tables[CitusPlacement.ColocationRoot] is { Kind: CitusTableKind.Distributed } root ? root.ColocationId : null;
        var lines = new List<string>();
        var toPlace = new List<string>();
        foreach (var (table, (kind, _)) in OrderToPlace())
        {
            var now = tables[table];
            if (kind == CitusTableKind.Local && now.Kind == CitusTableKind.Local)
                lines.Add($"{table}: stays {Describe(table, kind)}");
            else if (Matches(kind, now, rootColocation))
                lines.Add($"{table}: already {Describe(table, kind)}");
            else if (now.Kind == CitusTableKind.Local)
            {
                toPlace.Add(table);
                lines.Add($"{table}: now {Describe(table, kind)}");
            }
            else
                throw new VerbFailedException($"{table} is already {Describe(now)}, but CitusPlacement makes it {Describe(table, kind)}: " +
                    "undistribute it by hand (undistribute_table) first; nothing was changed.");
        }
        if (toPlace.Count > 0)
            await PlaceAsync(connection, toPlace, ct);
        return new Report(lines, toPlace.Count, clock.Elapsed);
    }

    /// <summary>
    /// The tables of <see cref="CitusPlacement"/> that are not yet where it says, on a database with Citus; none on
    /// one without (db migrate says to run db distribute when a migration added a table the cluster has not placed).
    /// </summary>
    public static async Task<IReadOnlyList<string>> UnplacedAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        if (!await CitusPlacement.InstalledAsync(connection, null, ct))
            return [];
        var tables = await TablesAsync(connection, ct);
        var rootColocation = tables.GetValueOrDefault(CitusPlacement.ColocationRoot) is { Kind: CitusTableKind.Distributed } root ? root.ColocationId : null;
        return [.. OrderToPlace().Where(p => tables.TryGetValue(p.Key, out var now) && !Matches(p.Value.Kind, now, rootColocation)).Select(p => p.Key)];
    }

    /// <summary>Reference tables first, then the colocation root, then the rest: a distributed table is colocated with a root that exists.</summary>
    private static IEnumerable<KeyValuePair<string, (CitusTableKind Kind, string Why)>> OrderToPlace() =>
        CitusPlacement.Tables
            .OrderBy(p => p.Value.Kind switch { CitusTableKind.Reference => 0, CitusTableKind.Distributed => 1, _ => 2 })
            .ThenBy(p => p.Key != CitusPlacement.ColocationRoot)
            .ThenBy(p => p.Key, StringComparer.Ordinal);

    private sealed record Placement(CitusTableKind Kind, string? Column, int? ColocationId);

    private static bool Matches(CitusTableKind kind, Placement now, int? rootColocation) => kind switch
    {
        CitusTableKind.Reference => now.Kind == CitusTableKind.Reference,
        CitusTableKind.Distributed => now is { Kind: CitusTableKind.Distributed, Column: "business_id" } && now.ColocationId == rootColocation,
        _ => now.Kind == CitusTableKind.Local,
    };

    private static string Describe(string table, CitusTableKind kind) => kind switch
    {
        CitusTableKind.Reference => "a reference table (a copy on every node)",
        CitusTableKind.Distributed when table == CitusPlacement.ColocationRoot => "distributed by business_id (the colocation root)",
        CitusTableKind.Distributed => $"distributed by business_id, colocated with {CitusPlacement.ColocationRoot}",
        _ => "local to the coordinator",
    };

    private static string Describe(Placement now) => now.Kind switch
    {
        CitusTableKind.Distributed => $"distributed by {now.Column} in colocation group {now.ColocationId}",
        CitusTableKind.Reference => "a reference table",
        _ => "local to the coordinator",
    };

    private static async Task RefuseWithPendingMigrationsAsync(DatabaseSettings settings, CancellationToken ct)
    {
        await using var db = DatabaseSetup.CreateContext(settings, settings.MigrationConnectionString, new CurrentTenant(), new CurrentActor());
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).Count();
        if (pending > 0)
            throw new VerbFailedException($"{pending} migration(s) pending: run `tidings db migrate` first; nothing was changed.");
    }

    private static async Task RefuseWithoutCitusAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        if (!await CitusPlacement.InstalledAsync(connection, null, ct))
            throw new VerbFailedException($"not a Citus coordinator: database {connection.Database} has no citus extension. Run CREATE EXTENSION citus " +
                "on the coordinator and every worker and add the workers (citus_add_node), or keep Tidings on plain PostgreSQL; nothing was changed.");
        if (!await ScalarAsync<bool>(connection, "SELECT citus_is_coordinator()", ct))
            throw new VerbFailedException($"database {connection.Database} is on a Citus worker, not the coordinator: point ConnectionStrings:TidingsOwner at the coordinator; nothing was changed.");
    }

    /// <summary>The schema's own tables (not an extension's) and where Citus has them.</summary>
    private static async Task<Dictionary<string, Placement>> TablesAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            SELECT c.relname::text, p.partmethod::text, p.repmodel::text, p.colocationid,
                   CASE WHEN p.partmethod = 'h' THEN column_to_column_name(p.logicalrelid, p.partkey) END
            FROM pg_class c
            LEFT JOIN pg_dist_partition p ON p.logicalrelid = c.oid
            WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
              AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var tables = new Dictionary<string, Placement>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            var method = reader.IsDBNull(1) ? null : reader.GetString(1);
            // A Citus local table (partmethod n, repmodel s) is still on the coordinator alone: Citus makes one when a
            // local table gets a foreign key to a reference table.
            var kind = method switch
            {
                "h" => CitusTableKind.Distributed,
                "n" when reader.GetString(2) == "t" => CitusTableKind.Reference,
                _ => CitusTableKind.Local,
            };
            tables[reader.GetString(0)] = new Placement(kind, reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(3) ? null : reader.GetInt32(3));
        }
        return tables;
    }

    /// <summary>
    /// Places the tables in one transaction. Citus refuses a foreign key between a local table and a distributed one,
    /// so every foreign key touching a table being placed is dropped first and made again from its definition once
    /// all are placed (and validated then against the rows on the shards).
    /// </summary>
    private static async Task PlaceAsync(NpgsqlConnection connection, IReadOnlyList<string> toPlace, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // Sequential: DDL after a parallel multi-shard command in one transaction is refused (reference-table foreign keys).
        await ExecuteAsync(connection, """
            SET LOCAL citus.multi_shard_modify_mode TO 'sequential';
            SET LOCAL citus.enable_unsafe_triggers TO on;
            SET LOCAL citus.enable_local_execution TO off;
            """, ct);
        var foreignKeys = await ForeignKeysAsync(connection, toPlace, ct);
        foreach (var key in foreignKeys)
            await ExecuteAsync(connection, $"ALTER TABLE {Quote(key.Table)} DROP CONSTRAINT {Quote(key.Name)}", ct);

        foreach (var table in toPlace)
        {
            var quoted = Quote(table);
            var create = CitusPlacement.Tables[table].Kind == CitusTableKind.Reference
                ? $"SELECT create_reference_table('{quoted}')"
                : $"SELECT create_distributed_table('{quoted}', 'business_id'{(table == CitusPlacement.ColocationRoot ? "" : $", colocate_with => '{CitusPlacement.ColocationRoot}'")})";
            // Copying the rows into the shards is a COPY, which Citus refuses under forced row-level security; the owner
            // alone could see the window, inside this transaction.
            await ExecuteAsync(connection, $"""
                ALTER TABLE {quoted} NO FORCE ROW LEVEL SECURITY;
                {create};
                ALTER TABLE {quoted} FORCE ROW LEVEL SECURITY;
                """, ct);
        }
        // The coordinator keeps its copy of the rows, hidden, until told. Emptying it is a TRUNCATE, which the audit
        // tables' append-only triggers refuse: they are off for that statement only, inside this transaction.
        foreach (var table in toPlace)
        {
            var truncateTriggers = await TruncateTriggersAsync(connection, table, ct);
            var quoted = Quote(table);
            await ExecuteAsync(connection, string.Concat(truncateTriggers.Select(t => $"ALTER TABLE {quoted} DISABLE TRIGGER {Quote(t)};\n"))
                + $"SELECT truncate_local_data_after_distributing_table('{quoted}');\n"
                + string.Concat(truncateTriggers.Select(t => $"ALTER TABLE {quoted} ENABLE TRIGGER {Quote(t)};\n")), ct);
        }

        foreach (var key in foreignKeys)
            await ExecuteAsync(connection, $"ALTER TABLE {Quote(key.Table)} ADD CONSTRAINT {Quote(key.Name)} {key.Definition}", ct);
        await DistributeFunctionsAsync(connection, ct);
        // Freshly loaded shards have no statistics, and the planner takes them for empty.
        foreach (var table in toPlace)
            await ExecuteAsync(connection, $"ANALYZE {Quote(table)}", ct);
        await transaction.CommitAsync(ct);
    }

    private static async Task<List<string>> TruncateTriggersAsync(NpgsqlConnection connection, string table, CancellationToken ct)
    {
        // tgtype bit 5 (32) marks a TRUNCATE trigger.
        await using var command = new NpgsqlCommand("""
            SELECT tgname::text FROM pg_trigger
            WHERE tgrelid = @table::regclass AND NOT tgisinternal AND tgenabled <> 'D' AND (tgtype & 32) <> 0
            """, connection);
        command.Parameters.AddWithValue("table", Quote(table));
        var triggers = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            triggers.Add(reader.GetString(0));
        return triggers;
    }

    private sealed record ForeignKey(string Table, string Name, string Definition);

    private static async Task<List<ForeignKey>> ForeignKeysAsync(NpgsqlConnection connection, IReadOnlyList<string> tables, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            SELECT conrelid::regclass::text, conname::text, pg_get_constraintdef(oid)
            FROM pg_constraint
            WHERE contype = 'f' AND connamespace = current_schema()::regnamespace
              AND (conrelid::regclass::text = ANY(@tables) OR confrelid::regclass::text = ANY(@tables))
            ORDER BY conrelid::regclass::text, conname
            """, connection);
        command.Parameters.AddWithValue("tables", tables.Select(Quote).Concat(tables).Distinct().ToArray());
        await using var reader = await command.ExecuteReaderAsync(ct);
        var keys = new List<ForeignKey>();
        while (await reader.ReadAsync(ct))
            keys.Add(new ForeignKey(Unquote(reader.GetString(0)), reader.GetString(1), reader.GetString(2)));
        return keys;
    }

    /// <summary>
    /// The policies and triggers on the shards call the schema's functions (tidings_current_business, the append-only
    /// triggers) on the workers. Citus propagates a function created while it has workers; one created before them, or
    /// before the extension, it does not know, so it is made a distributed object here.
    /// </summary>
    private static async Task DistributeFunctionsAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            SELECT p.oid::regprocedure::text
            FROM pg_proc p
            WHERE p.pronamespace = current_schema()::regnamespace
              AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
              AND NOT EXISTS (SELECT FROM pg_dist_object o WHERE o.classid = 'pg_proc'::regclass AND o.objid = p.oid)
            """, connection);
        var functions = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                functions.Add(reader.GetString(0));
        foreach (var function in functions)
        {
            await using var distribute = new NpgsqlCommand("SELECT create_distributed_function(@f)", connection);
            distribute.Parameters.AddWithValue("f", function);
            await distribute.ExecuteNonQueryAsync(ct);
        }
    }

    private static string Quote(string identifier) => new NpgsqlCommandBuilder().QuoteIdentifier(identifier);

    private static string Unquote(string regclass) =>
        regclass.StartsWith('"') ? regclass[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal) : regclass;

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync(ct);
        return value is DBNull or null ? default! : (T)value;
    }
}
