using Microsoft.Data.Sqlite;
using Npgsql;
using Tidings.Data;

namespace Tidings.Bench;

/// <summary>
/// A fresh, migrated Tidings database that lives for one measured run: a file in a temporary folder for
/// SQLite; for PostgreSQL a database of its own on the given server, created and dropped as the connecting
/// user, owned by a bench owner role (migrations) and used by a bench app role (no superuser, no bypass of
/// row-level security), as a real deployment is, so every figure includes the policies' cost.
/// </summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    public const string OwnerRole = "tidings_bench_owner";
    public const string AppRole = "tidings_bench_app";

    private readonly BenchTarget _target;
    private readonly string _scratch;
    private readonly bool _keep;

    /// <summary>What Tidings itself connects with: the app role at runtime, the owner for migrations and imports.</summary>
    public DatabaseSettings Settings { get; }

    /// <summary>
    /// The connecting user's own connection to this database, for loading generated data: on PostgreSQL a
    /// role that may bypass row-level security and triggers (the server's superuser in practice).
    /// </summary>
    public string LoaderConnectionString { get; }

    /// <summary>The server's version and, for PostgreSQL, the durability settings that move write figures most.</summary>
    public string Server { get; }

    public DatabaseProvider Provider => _target.Provider;

    private BenchDatabase(BenchTarget target, string scratch, DatabaseSettings settings, string loader, string server, bool keep)
    {
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
        var database = target.Provider == DatabaseProvider.Sqlite ? CreateSqlite(target, keep) : await CreatePostgresAsync(target, keep, ct);
        try
        {
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
        await using var settings = new NpgsqlCommand("SELECT 'fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit')", server);
        var durability = (string)(await settings.ExecuteScalarAsync(ct))!;
        var loader = new NpgsqlConnectionStringBuilder(target.ServerConnectionString) { Database = name }.ConnectionString;
        return new BenchDatabase(target, name,
            new DatabaseSettings(DatabaseProvider.Postgres, As(loader, AppRole), As(loader, OwnerRole)), loader,
            $"PostgreSQL {server.PostgreSqlVersion}, {durability}", keep);
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
        await using var server = new NpgsqlConnection(_target.ServerConnectionString);
        await server.OpenAsync();
        // FORCE ends sessions a cancelled run may have left behind; the name is ours, made above.
        await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {_scratch} WITH (FORCE)", CancellationToken.None);
    }
}
