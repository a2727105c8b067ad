using Microsoft.Data.Sqlite;
using Npgsql;
using Tidings.Data;
using Tidings.Data.Postgres;

namespace Tidings.Bench;

/// <summary>
/// A fresh, migrated Tidings database that lives for one measured run: a file in a temporary folder for
/// SQLite; for PostgreSQL a database of its own on the given server, created and dropped as the connecting
/// user, owned by a bench owner role (migrations) and used by a bench app role (no superuser, no bypass of
/// row-level security), as a real deployment is, so every figure includes the policies' cost. On Citus the
/// same database on every node of the cluster, its tables local to the coordinator until the data is in and
/// <see cref="DistributeAsync"/> places them, as an operator does (migrate, load, `tidings db distribute`).
/// </summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    public const string OwnerRole = "tidings_bench_owner";
    public const string AppRole = "tidings_bench_app";

    private readonly BenchTarget _target;
    private readonly string _scratch;
    private readonly bool _keep;
    private readonly IReadOnlyList<(string Host, int Port)> _workers;

    /// <summary>What Tidings itself connects with: the app role at runtime, the owner for migrations and imports.</summary>
    public DatabaseSettings Settings { get; }

    /// <summary>
    /// The connecting user's own connection to this database, for loading generated data: on PostgreSQL a
    /// role that may bypass row-level security and triggers (the server's superuser in practice).
    /// </summary>
    public string LoaderConnectionString { get; }

    /// <summary>The server's version and, for PostgreSQL, the settings that move figures most; on Citus, how many workers.</summary>
    public string Server { get; }

    public DatabaseProvider Provider => _target.Provider;

    /// <summary>Whether this database is on a Citus cluster: its tables wait for <see cref="DistributeAsync"/>.</summary>
    public bool Citus => _target.Citus;

    private BenchDatabase(BenchTarget target, string scratch, DatabaseSettings settings, string loader, string server, bool keep,
        IReadOnlyList<(string Host, int Port)>? workers = null)
    {
        _workers = workers ?? [];
        _target = target;
        _scratch = scratch;
        _keep = keep;
        Settings = settings;
        LoaderConnectionString = loader;
        Server = server;
    }

    /// <summary>A fresh migrated database; with <paramref name="keep"/> (--keep) it is left in place when the run ends and where it is gets printed.</summary>
    public static async Task<BenchDatabase> CreateAsync(BenchTarget target, bool keep, CancellationToken ct)
    {
        var database = target.Provider == DatabaseProvider.Sqlite ? CreateSqlite(target, keep)
            : target.Citus ? await CreateCitusAsync(target, keep, ct)
            : await CreatePostgresAsync(target, keep, ct);
        try
        {
            if (target.Citus)
                await database.AddCitusNodesAsync(ct);
            await DatabaseCommands.MigrateAsync(database.Settings, ct);
            return database;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    private static BenchDatabase CreateSqlite(BenchTarget target, bool keep)
    {
        var folder = Directory.CreateTempSubdirectory("tidings-bench-").FullName;
        var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "bench.db") }.ConnectionString;
        using var connection = new SqliteConnection(connectionString);
        return new BenchDatabase(target, folder, new DatabaseSettings(DatabaseProvider.Sqlite, connectionString, null), connectionString,
            $"SQLite {connection.ServerVersion}", keep);
    }

    private static async Task<BenchDatabase> CreatePostgresAsync(BenchTarget target, bool keep, CancellationToken ct)
    {
        var name = $"tidings_bench_{Guid.NewGuid():N}";
        await using var server = new NpgsqlConnection(target.ServerConnectionString);
        await server.OpenAsync(ct);
        // Roles belong to the server, not the database: made once, kept for later runs (and other benches on it).
        foreach (var role in new[] { OwnerRole, AppRole })
            await ExecuteAsync(server, $"""
                DO $$ BEGIN
                    CREATE ROLE {role} LOGIN PASSWORD '{role}' NOSUPERUSER NOBYPASSRLS;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
                END $$;
                """, ct);
        await ExecuteAsync(server, $"CREATE DATABASE {name} OWNER {OwnerRole}", ct);
        return new BenchDatabase(target, name, SettingsFor(target, name, out var loader), loader,
            $"PostgreSQL {server.PostgreSqlVersion}, {await SettingsOfAsync(server, ct)}", keep);
    }

    /// <summary>
    /// The database on every node of the cluster (Citus creates and drops it everywhere only when asked to), with the
    /// roles made by plain CREATE ROLE, which Citus repeats on its workers (a DO block it does not). The workers are
    /// the ones the coordinator's connecting database lists; <see cref="AddCitusNodesAsync"/> gives them to this one.
    /// </summary>
    private static async Task<BenchDatabase> CreateCitusAsync(BenchTarget target, bool keep, CancellationToken ct)
    {
        var name = $"tidings_bench_{Guid.NewGuid():N}";
        await using var server = await OpenCoordinatorAsync(target, ct);
        var version = await ScalarAsync(server, "SELECT extversion FROM pg_extension WHERE extname = 'citus'", ct)
            ?? throw new BenchFailedException($"--provider citus: database {server.Database} of {server.Host}:{server.Port} has no citus extension; give a Citus coordinator's connection string.");
        var workers = await WorkersAsync(server, ct);
        if (workers.Count == 0)
            throw new BenchFailedException($"--provider citus: database {server.Database} of the coordinator lists no workers (pg_dist_node); add them with citus_add_node.");
        foreach (var role in new[] { OwnerRole, AppRole })
        {
            try
            {
                await ExecuteAsync(server, $"CREATE ROLE {role} LOGIN PASSWORD '{role}' NOSUPERUSER NOBYPASSRLS", ct);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.UniqueViolation)
            {
            }
        }
        await ExecuteAsync(server, $"CREATE DATABASE {name} OWNER {OwnerRole}", ct);
        var settings = await SettingsOfAsync(server, ct);
        return new BenchDatabase(target, name, SettingsFor(target, name, out var loader), loader,
            $"Citus {version} on PostgreSQL {server.PostgreSqlVersion}, {workers.Count} workers, {settings} (coordinator)", keep, workers);
    }

    /// <summary>Citus keeps its nodes per database: the extension on every node's copy, then the coordinator's list of them.</summary>
    private async Task AddCitusNodesAsync(CancellationToken ct)
    {
        foreach (var (host, port) in _workers)
        {
            await using var worker = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(LoaderConnectionString) { Host = host, Port = port }.ConnectionString);
            await worker.OpenAsync(ct);
            await ExecuteAsync(worker, "CREATE EXTENSION IF NOT EXISTS citus", ct);
        }
        await using var coordinator = new NpgsqlConnection(LoaderConnectionString);
        await coordinator.OpenAsync(ct);
        await ExecuteAsync(coordinator, "CREATE EXTENSION IF NOT EXISTS citus", ct);
        await ExecuteAsync(coordinator, $"SELECT citus_set_coordinator_host('{coordinator.Host}', {coordinator.Port})", ct);
        foreach (var (host, port) in _workers)
            await ExecuteAsync(coordinator, $"SELECT citus_add_node('{host}', {port})", ct);
    }

    /// <summary>
    /// Places every table as `tidings db distribute` does (CitusDistribution, as the owner, in one transaction, then
    /// ANALYZE); answers how long it took. Nothing to do off Citus.
    /// </summary>
    public async Task<TimeSpan?> DistributeAsync(CancellationToken ct)
    {
        if (!Citus)
            return null;
        var report = await CitusDistribution.DistributeAsync(Settings, ct);
        return report.Took;
    }

    private static async Task<List<(string Host, int Port)>> WorkersAsync(NpgsqlConnection coordinator, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT nodename, nodeport FROM pg_dist_node WHERE groupid <> 0 AND noderole = 'primary' AND isactive ORDER BY nodeport", coordinator);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var workers = new List<(string, int)>();
        while (await reader.ReadAsync(ct))
            workers.Add((reader.GetString(0), reader.GetInt32(1)));
        return workers;
    }

    private static async Task<NpgsqlConnection> OpenCoordinatorAsync(BenchTarget target, CancellationToken ct)
    {
        var server = new NpgsqlConnection(target.ServerConnectionString);
        await server.OpenAsync(ct);
        await ExecuteAsync(server, "SET citus.enable_create_database_propagation = on", ct);
        return server;
    }

    private static DatabaseSettings SettingsFor(BenchTarget target, string database, out string loader)
    {
        loader = new NpgsqlConnectionStringBuilder(target.ServerConnectionString) { Database = database }.ConnectionString;
        return new DatabaseSettings(DatabaseProvider.Postgres, As(loader, AppRole), As(loader, OwnerRole));
    }

    /// <summary>The settings that move figures most: durability for writes, the buffer cache for reads.</summary>
    private static async Task<string> SettingsOfAsync(NpgsqlConnection server, CancellationToken ct) =>
        (await ScalarAsync(server, "SELECT 'fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit') || ', shared_buffers=' || current_setting('shared_buffers')", ct))!;

    private static async Task<string?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(ct) as string;
    }

    private static string As(string connectionString, string role) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Username = role, Password = role }.ConnectionString;

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_keep)
        {
            Console.WriteLine($"Kept the database: {LoaderConnectionString}");
            return;
        }
        if (_target.Provider == DatabaseProvider.Sqlite)
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(_scratch, recursive: true);
            return;
        }
        NpgsqlConnection.ClearAllPools();
        await using var server = _target.Citus ? await OpenCoordinatorAsync(_target, CancellationToken.None) : new NpgsqlConnection(_target.ServerConnectionString);
        if (!_target.Citus)
            await server.OpenAsync();
        // FORCE ends sessions a cancelled run may have left behind; the name is ours, made above.
        await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {_scratch} WITH (FORCE)", CancellationToken.None);
    }
}
