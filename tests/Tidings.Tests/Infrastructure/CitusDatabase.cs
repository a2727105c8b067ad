using System.Data.Common;
using Npgsql;
using Tidings.Data;
using Tidings.Data.Postgres;

namespace Tidings.Tests.Infrastructure;

/// <summary>
/// A fresh database on the Citus cluster that scripts/test.sh starts (a coordinator and two workers on loopback,
/// $TIDINGS_TEST_CITUS), with Tidings migrated on the coordinator as the owner role and distributed (`db distribute`),
/// as a deployment on Citus is. Citus keeps its node list per database, so each test database gets the extension on
/// every node and the coordinator's list of workers.
/// </summary>
public class CitusDatabase : TestDatabase
{
    private readonly string _database = $"tidings_citus_{Guid.NewGuid():N}";
    private readonly CitusStage _upTo;

    public CitusDatabase() : this(CitusStage.Distributed)
    {
    }

    protected CitusDatabase(CitusStage upTo) => _upTo = upTo;

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public string OwnerConnectionString { get; private set; } = null!;

    public IReadOnlyList<(string Host, int Port)> Workers { get; private set; } = [];

    public override async Task InitializeAsync()
    {
        await CitusCluster.Coordinator.CreateDatabaseAsync(_database);
        Workers = await CitusCluster.WorkersAsync();
        foreach (var (host, port) in Workers)
            await CitusCluster.ExecuteAsync(CitusCluster.NodeConnectionString(host, port, _database), "CREATE EXTENSION IF NOT EXISTS citus");
        var coordinator = CitusCluster.ConnectionString(_database, role: null);
        var builder = new NpgsqlConnectionStringBuilder(coordinator);
        await CitusCluster.ExecuteAsync(coordinator, "CREATE EXTENSION IF NOT EXISTS citus");
        await CitusCluster.ExecuteAsync(coordinator, $"SELECT citus_set_coordinator_host('{builder.Host}', {builder.Port})");
        foreach (var (host, port) in Workers)
            await CitusCluster.ExecuteAsync(coordinator, $"SELECT citus_add_node('{host}', {port})");
        // Unpooled: the tidings executable may hold the database's connections too, and the drop must not wait on ours.
        OwnerConnectionString = CitusCluster.ConnectionString(_database, PostgresServer.OwnerRole, pooling: _upTo != CitusStage.Empty);
        Settings = new DatabaseSettings(DatabaseProvider.Postgres, CitusCluster.ConnectionString(_database, PostgresServer.AppRole, pooling: _upTo != CitusStage.Empty), null);
        if (_upTo == CitusStage.Empty)
            return;
        await MigrateAsync(OwnerConnectionString);
        if (_upTo == CitusStage.Distributed)
            await DistributeAsync();
    }

    public Task<CitusDistribution.Report> DistributeAsync() => CitusDistribution.DistributeAsync(Settings, CancellationToken.None);

    public override DbConnection OpenBypassConnection()
    {
        var connection = new NpgsqlConnection(CitusCluster.ConnectionString(_database, role: null));
        connection.Open();
        return connection;
    }

    public override async Task DisposeAsync()
    {
        // A tidings process killed mid-commit (the import and monitor drills) can leave its two-phase commit prepared on a
        // worker until Citus's recovery runs (every minute); DROP DATABASE refuses while one is, FORCE or not.
        try
        {
            await CitusCluster.ExecuteAsync(CitusCluster.ConnectionString(_database, role: null, pooling: false), "SELECT recover_prepared_transactions()");
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // Not initialized far enough to have the extension: nothing can be prepared either.
        }
        await CitusCluster.Coordinator.DropDatabaseAsync(_database);
    }
}

public enum CitusStage { Empty, Migrated, Distributed }

/// <summary>A Citus database with Tidings migrated but not yet distributed: every table still local to the coordinator.</summary>
public sealed class MigratedCitusDatabase() : CitusDatabase(CitusStage.Migrated);

/// <summary>A Citus database with the extension and the workers but no schema, for running the tidings executable against.</summary>
public sealed class EmptyCitusDatabase() : CitusDatabase(CitusStage.Empty);

/// <summary>The test cluster's coordinator: the same two roles as the PostgreSQL test server, created there and propagated by Citus.</summary>
public static class CitusCluster
{
    // Citus creates and drops a database on every node only when asked to.
    public static readonly TestServer Coordinator = new("TIDINGS_TEST_CITUS", "a throw-away Citus cluster", "SET citus.enable_create_database_propagation = on");

    public static string ConnectionString(string database, string? role, bool pooling = true) => Coordinator.ConnectionString(database, role, pooling);

    public static string NodeConnectionString(string host, int port, string database) =>
        new NpgsqlConnectionStringBuilder(Coordinator.SuperuserConnectionString) { Host = host, Port = port, Database = database }.ConnectionString;

    /// <summary>The workers the cluster's own database knows (scripts/citus.sh added them there).</summary>
    public static async Task<IReadOnlyList<(string Host, int Port)>> WorkersAsync()
    {
        await using var admin = new NpgsqlConnection(Coordinator.SuperuserConnectionString);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT nodename, nodeport FROM pg_dist_node WHERE groupid <> 0 AND noderole = 'primary' ORDER BY nodeport", admin);
        await using var reader = await command.ExecuteReaderAsync();
        var workers = new List<(string, int)>();
        while (await reader.ReadAsync())
            workers.Add((reader.GetString(0), reader.GetInt32(1)));
        return workers;
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await TestServer.ExecuteAsync(connection, sql);
    }
}
