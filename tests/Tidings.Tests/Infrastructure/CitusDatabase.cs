using System.Data.Common;
using Npgsql;
using Tidings.Data;

namespace Tidings.Tests.Infrastructure;

/// <summary>
/// A fresh database on the Citus cluster that scripts/test.sh starts (a coordinator and two workers on loopback,
/// $TIDINGS_TEST_CITUS), with Tidings migrated on the coordinator as the owner role. Citus keeps its node list per
/// database, so each test database gets the extension on every node and the coordinator's list of workers.
/// </summary>
public sealed class CitusDatabase : TestDatabase
{
    private readonly string _database = $"tidings_citus_{Guid.NewGuid():N}";

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public string OwnerConnectionString { get; private set; } = null!;

    public IReadOnlyList<(string Host, int Port)> Workers { get; private set; } = [];

    public override async Task InitializeAsync()
    {
        await CitusCluster.CreateDatabaseAsync(_database);
        Workers = await CitusCluster.WorkersAsync();
        foreach (var (host, port) in Workers)
            await CitusCluster.ExecuteAsync(CitusCluster.NodeConnectionString(host, port, _database), "CREATE EXTENSION IF NOT EXISTS citus");
        var coordinator = CitusCluster.ConnectionString(_database, role: null);
        var builder = new NpgsqlConnectionStringBuilder(coordinator);
        await CitusCluster.ExecuteAsync(coordinator, "CREATE EXTENSION IF NOT EXISTS citus");
        await CitusCluster.ExecuteAsync(coordinator, $"SELECT citus_set_coordinator_host('{builder.Host}', {builder.Port})");
        foreach (var (host, port) in Workers)
            await CitusCluster.ExecuteAsync(coordinator, $"SELECT citus_add_node('{host}', {port})");
        OwnerConnectionString = CitusCluster.ConnectionString(_database, PostgresServer.OwnerRole);
        Settings = new DatabaseSettings(DatabaseProvider.Postgres, CitusCluster.ConnectionString(_database, PostgresServer.AppRole), null);
        await MigrateAsync(OwnerConnectionString);
    }

    public override DbConnection OpenBypassConnection()
    {
        var connection = new NpgsqlConnection(CitusCluster.ConnectionString(_database, role: null));
        connection.Open();
        return connection;
    }

    public override Task DisposeAsync() => CitusCluster.DropDatabaseAsync(_database);
}

/// <summary>The test cluster's coordinator: the same two roles as the PostgreSQL test server, created there and propagated by Citus.</summary>
public static class CitusCluster
{
    private static readonly SemaphoreSlim RolesLock = new(1, 1);
    private static bool _rolesReady;

    public static string SuperuserConnectionString =>
        Environment.GetEnvironmentVariable("TIDINGS_TEST_CITUS") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "TIDINGS_TEST_CITUS is not set: run the suite with scripts/test.sh, which starts a throw-away Citus cluster.");

    public static string ConnectionString(string database, string? role)
    {
        var builder = new NpgsqlConnectionStringBuilder(SuperuserConnectionString) { Database = database };
        if (role is not null)
        {
            builder.Username = role;
            builder.Password = role;
        }
        return builder.ConnectionString;
    }

    public static string NodeConnectionString(string host, int port, string database) =>
        new NpgsqlConnectionStringBuilder(SuperuserConnectionString) { Host = host, Port = port, Database = database }.ConnectionString;

    /// <summary>The workers the cluster's own database knows (scripts/citus.sh added them there).</summary>
    public static async Task<IReadOnlyList<(string Host, int Port)>> WorkersAsync()
    {
        await using var admin = new NpgsqlConnection(SuperuserConnectionString);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT nodename, nodeport FROM pg_dist_node WHERE groupid <> 0 AND noderole = 'primary' ORDER BY nodeport", admin);
        await using var reader = await command.ExecuteReaderAsync();
        var workers = new List<(string, int)>();
        while (await reader.ReadAsync())
            workers.Add((reader.GetString(0), reader.GetInt32(1)));
        return workers;
    }

    public static async Task CreateDatabaseAsync(string name)
    {
        await using var admin = new NpgsqlConnection(SuperuserConnectionString);
        await admin.OpenAsync();
        await EnsureRolesAsync(admin);
        // Citus creates and drops the database on every node only when asked to.
        await ExecuteAsync(admin, "SET citus.enable_create_database_propagation = on");
        await ExecuteAsync(admin, $"CREATE DATABASE {name} OWNER {PostgresServer.OwnerRole}");
    }

    public static async Task DropDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(SuperuserConnectionString);
        await admin.OpenAsync();
        await ExecuteAsync(admin, "SET citus.enable_create_database_propagation = on");
        await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, sql);
    }

    private static async Task EnsureRolesAsync(NpgsqlConnection admin)
    {
        await RolesLock.WaitAsync();
        try
        {
            if (_rolesReady)
                return;
            // A plain CREATE ROLE, which Citus propagates to the workers (a DO block would not be).
            foreach (var role in new[] { PostgresServer.OwnerRole, PostgresServer.AppRole })
            {
                try
                {
                    await ExecuteAsync(admin, $"CREATE ROLE {role} LOGIN PASSWORD '{role}' NOSUPERUSER NOBYPASSRLS");
                }
                catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.UniqueViolation)
                {
                }
            }
            _rolesReady = true;
        }
        finally
        {
            RolesLock.Release();
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
