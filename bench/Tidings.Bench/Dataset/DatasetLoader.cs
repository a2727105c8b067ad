using Microsoft.EntityFrameworkCore;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;

namespace Tidings.Bench.Dataset;

/// <summary>What was loaded, and how long it took.</summary>
/// <remarks><paramref name="Distributed"/>: on Citus, how long placing the loaded tables took (`tidings db distribute`), apart from the load.</remarks>
public sealed record LoadedDataset(DatasetShape Shape, IReadOnlyList<GeneratedBusiness> Businesses, IReadOnlyDictionary<string, long> Rows, TimeSpan Elapsed,
    TimeSpan? Distributed = null)
{
    /// <summary>The business holding a fifth of the events: the one whose feed is measured.</summary>
    public GeneratedBusiness Large => Businesses[0];

    public IEnumerable<Figure> Figures() =>
    [
        new("businesses", Businesses.Count, "rows"),
        .. Rows.Select(r => new Figure($"rows: {r.Key}", r.Value, "rows")),
        new("large business: events", Large.Events, "rows"),
        new("data load (generate, bulk load, index, analyze)", Elapsed.TotalSeconds, "s"),
        new("data load rate", Rows["events"] / Elapsed.TotalSeconds, "events/s"),
        .. Distributed is { } distributed ? [new Figure("distribute (tidings db distribute: shards, rows copied, foreign keys, analyze)", distributed.TotalSeconds, "s")] : Array.Empty<Figure>(),
    ];
}

/// <summary>
/// Fills a fresh bench database with a generated <see cref="DatasetShape"/> as fast as each database
/// takes rows: the big tables' secondary indexes are dropped first and built once at the end, rows go in
/// by binary COPY (PostgreSQL, as a superuser with triggers and so foreign-key checks off, since the
/// generator only makes consistent rows) or by one prepared INSERT per row in large transactions (SQLite),
/// and the planner's statistics are gathered last, as they would be on a database that grew over years. On Citus the
/// rows go into the coordinator's local tables the same way, and the tables are distributed afterwards, timed apart.
/// </summary>
public static class DatasetLoader
{
    // The tables that grow with events; the others are small enough to insert with their indexes.
    private static readonly string[] BigTables = ["events", "event_user_interactions", "event_tags"];

    public static async Task<LoadedDataset> LoadAsync(BenchDatabase database, DatasetShape shape, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        IModel model;
        await using (var context = DatabaseSetup.CreateContext(database.Settings, database.Settings.ConnectionString, new CurrentTenant(), new CurrentActor()))
            model = context.Model;
        await using var connection = await OpenAsync(database, ct);
        var indexes = await DropIndexesAsync(connection, database.Provider, ct);

        var generator = new DatasetGenerator(shape, DateTime.UtcNow);
        var rows = new Dictionary<string, long>();
        var businesses = new List<GeneratedBusiness>();
        var sizes = shape.EventsPerBusiness();
        var progress = Stopwatch.StartNew();
        long loadedEvents = 0;
        for (var index = 0; index < sizes.Count; index++)
        {
            var owned = generator.Business(index, sizes[index], out var summary);
            businesses.Add(summary);
            await InTransactionAsync(connection, model, rows, async w =>
            {
                await w.AddAsync([owned.Business], ct);
                await w.AddAsync(owned.Users, ct);
                await w.AddAsync(owned.Categories, ct);
                await w.AddAsync(owned.Clients, ct);
                await w.AddAsync(owned.Tags, ct);
                await w.AddAsync(owned.ClientTags, ct);
            }, ct);
            foreach (var chunk in generator.EventChunks(index, sizes[index]))
            {
                await InTransactionAsync(connection, model, rows, async w =>
                {
                    await w.AddAsync(chunk.Events, ct);
                    await w.AddAsync(chunk.Interactions, ct);
                    await w.AddAsync(chunk.EventTags, ct);
                }, ct);
                loadedEvents += chunk.Events.Count;
                if (progress.Elapsed > TimeSpan.FromSeconds(5))
                {
                    Console.Error.WriteLine($"  loading: {loadedEvents:N0} / {shape.Events:N0} events");
                    progress.Restart();
                }
            }
        }
        Console.Error.WriteLine($"  loaded {loadedEvents:N0} events in {stopwatch.Elapsed.TotalSeconds:0} s; building {indexes.Count} indexes and statistics");
        foreach (var create in indexes)
            await ExecuteAsync(connection, create, ct);
        await ExecuteAsync(connection, "ANALYZE", ct);
        var loaded = stopwatch.Elapsed;
        if (!database.Citus)
            return new LoadedDataset(shape, businesses, rows, loaded);
        Console.Error.WriteLine($"  loaded in {loaded.TotalSeconds:0} s; distributing");
        return new LoadedDataset(shape, businesses, rows, loaded, await database.DistributeAsync(ct));
    }

    private static async Task<DbConnection> OpenAsync(BenchDatabase database, CancellationToken ct)
    {
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            var sqlite = new SqliteConnection(database.LoaderConnectionString);
            await sqlite.OpenAsync(ct);
            // A scratch file: a crash mid-load loses nothing worth keeping.
            await ExecuteAsync(sqlite, "PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF; PRAGMA cache_size=-262144", ct);
            return sqlite;
        }
        var npgsql = new NpgsqlConnection(database.LoaderConnectionString);
        await npgsql.OpenAsync(ct);
        await using var check = new NpgsqlCommand("SELECT current_setting('is_superuser')", npgsql);
        if ((string?)await check.ExecuteScalarAsync(ct) != "on")
            throw new BenchFailedException("loading generated data into PostgreSQL needs a superuser connection (--connection): it bypasses row-level security and foreign-key triggers.");
        // replica: no triggers, so no per-row foreign-key checks (the rows are consistent by construction).
        await ExecuteAsync(npgsql, "SET session_replication_role = replica; SET maintenance_work_mem = '512MB'", ct);
        return npgsql;
    }

    /// <summary>Drops the big tables' indexes that no constraint owns and answers the statements that rebuild them.</summary>
    private static async Task<List<string>> DropIndexesAsync(DbConnection connection, DatabaseProvider provider, CancellationToken ct)
    {
        var tables = string.Join(", ", BigTables.Select(t => $"'{t}'"));
        var sql = provider == DatabaseProvider.Sqlite
            ? $"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({tables})"
            : $"""
              SELECT i.indexname, i.indexdef FROM pg_indexes i
              WHERE i.schemaname = 'public' AND i.tablename IN ({tables})
                AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
              """;
        var indexes = new List<(string Name, string Create)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = sql;
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                indexes.Add((reader.GetString(0), reader.GetString(1)));
        }
        foreach (var (name, _) in indexes)
            await ExecuteAsync(connection, $"DROP INDEX \"{name}\"", ct);
        return indexes.Select(i => i.Create).ToList();
    }

    /// <summary>Counts and bulk-loads rows of one table in the caller's transaction.</summary>
    private sealed class Writer(IModel model, DbTransaction transaction, Dictionary<string, long> rows)
    {
        public async Task AddAsync<T>(IReadOnlyCollection<T> batch, CancellationToken ct) where T : class
        {
            var table = model.FindEntityType(typeof(T))!.GetTableName()!;
            rows[table] = rows.GetValueOrDefault(table) + batch.Count;
            await BulkInsert.LoadAsync(model, transaction, batch, ct);
        }
    }

    private static async Task InTransactionAsync(DbConnection connection, IModel model, Dictionary<string, long> rows, Func<Writer, Task> write, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await write(new Writer(model, transaction, rows));
        await transaction.CommitAsync(ct);
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(ct);
    }
}
