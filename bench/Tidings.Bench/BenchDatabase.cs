using Microsoft.Data.Sqlite;
using Npgsql;
using Tidings.Data;

namespace Tidings.Bench;

/// <summary>
/// A fresh, migrated Tidings database that lives for one measured run: a file in a temporary folder for
/// SQLite, a database of its own on the given server for PostgreSQL (created and dropped as the connecting user).
/// </summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly BenchTarget _target;
    private readonly string _scratch;

    public DatabaseSettings Settings { get; }

    /// <summary>The server's version and, for PostgreSQL, the durability settings that move write figures most.</summary>
    public string Server { get; }

    private BenchDatabase(BenchTarget target, string scratch, DatabaseSettings settings, string server)
    {
        _target = target;
        _scratch = scratch;
        Settings = settings;
        Server = server;
    }

    public static async Task<BenchDatabase> CreateAsync(BenchTarget target, CancellationToken ct)
    {
        var database = target.Provider == DatabaseProvider.Sqlite ? CreateSqlite(target) : await CreatePostgresAsync(target, ct);
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

    private static BenchDatabase CreateSqlite(BenchTarget target)
    {
        var folder = Directory.CreateTempSubdirectory("tidings-bench-").FullName;
        var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "bench.db") }.ConnectionString;
        using var connection = new SqliteConnection(connectionString);
        return new BenchDatabase(target, folder, new DatabaseSettings(DatabaseProvider.Sqlite, connectionString, null), $"SQLite {connection.ServerVersion}");
    }

    private static async Task<BenchDatabase> CreatePostgresAsync(BenchTarget target, CancellationToken ct)
    {
        var name = $"tidings_bench_{Guid.NewGuid():N}";
        await using var server = new NpgsqlConnection(target.ServerConnectionString);
        await server.OpenAsync(ct);
        await using (var create = new NpgsqlCommand($"CREATE DATABASE {name}", server))
            await create.ExecuteNonQueryAsync(ct);
        await using var settings = new NpgsqlCommand("SELECT 'fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit')", server);
        var durability = (string)(await settings.ExecuteScalarAsync(ct))!;
        var connectionString = new NpgsqlConnectionStringBuilder(target.ServerConnectionString) { Database = name }.ConnectionString;
        return new BenchDatabase(target, name, new DatabaseSettings(DatabaseProvider.Postgres, connectionString, null), $"PostgreSQL {server.PostgreSqlVersion}, {durability}");
    }

    public async ValueTask DisposeAsync()
    {
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
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_scratch} WITH (FORCE)", server);
        await drop.ExecuteNonQueryAsync();
    }
}
