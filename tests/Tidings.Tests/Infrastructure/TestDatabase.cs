using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;
using Tidings.Businesses;
using Tidings.Data;
using Tidings.Data.Auditing;
using Tidings.Data.Tenancy;
using Tidings.Users;

namespace Tidings.Tests.Infrastructure;

/// <summary>
/// A real, migrated database of one provider, made for one test class. Tests make their own
/// businesses in it, so no test depends on another's rows.
/// </summary>
public abstract class TestDatabase : IAsyncLifetime
{
    public abstract DatabaseProvider Provider { get; }

    /// <summary>What the application connects with (on PostgreSQL: the runtime role, subject to row-level security).</summary>
    public DatabaseSettings Settings { get; protected set; } = null!;

    /// <summary>Opens a connection that goes around the data layer (and, on PostgreSQL, around row-level security).</summary>
    public abstract DbConnection OpenBypassConnection();

    public abstract Task InitializeAsync();
    public abstract Task DisposeAsync();

    /// <summary>A context acting for <paramref name="businessId"/> (or for no business), as <paramref name="actor"/>.</summary>
    public TidingsDbContext Context(Guid? businessId = null, CurrentActor? actor = null, TimeProvider? clock = null)
    {
        var tenant = new CurrentTenant();
        if (businessId is { } id)
            tenant.Set(id);
        return DatabaseSetup.CreateContext(Settings, Settings.ConnectionString, tenant, actor ?? TestActors.System(), clock);
    }

    /// <summary>A new business with one owner, created through the data layer.</summary>
    public async Task<TestBusiness> NewBusinessAsync(string? name = null)
    {
        var business = new Business { Name = name ?? "Business " + Guid.NewGuid().ToString("N")[..8], Slug = "b-" + Guid.NewGuid().ToString("N") };
        await using var db = Context(business.Id);
        db.Businesses.Add(business);
        var owner = new User { Email = $"owner-{Guid.NewGuid():N}@example.test", DisplayName = "Owner", Role = UserRoles.Owner };
        db.Users.Add(owner);
        await db.SaveChangesAsync();
        return new TestBusiness(this, business.Id, owner.Id);
    }

    /// <summary>
    /// Migrates back to just before the migration whose name ends with <paramref name="suffix"/>, then forward to the
    /// latest: that migration meets rows written the way the code before it wrote them.
    /// </summary>
    /// <param name="suffix">The migration's name's end.</param>
    /// <param name="before">What to write while the database is as it was before that migration (rows of the old shape).</param>
    public async Task ReapplyMigrationAsync(string suffix, Func<DbConnection, Task>? before = null)
    {
        await using (var migrator = DatabaseSetup.CreateContext(Settings, Settings.MigrationConnectionString, new CurrentTenant(), new CurrentActor()))
        {
            var all = migrator.Database.GetMigrations().ToList();
            await migrator.GetService<IMigrator>().MigrateAsync(all[all.FindIndex(m => m.EndsWith(suffix, StringComparison.Ordinal)) - 1]);
        }
        if (before is not null)
        {
            await using var connection = OpenBypassConnection();
            await before(connection);
        }
        await DatabaseCommands.MigrateAsync(Settings, CancellationToken.None);
    }

    protected async Task MigrateAsync(string ownerConnectionString)
    {
        Settings = Settings with { OwnerConnectionString = ownerConnectionString };
        await DatabaseCommands.MigrateAsync(Settings, CancellationToken.None);
    }
}

public sealed record TestBusiness(TestDatabase Database, Guid Id, Guid OwnerId)
{
    public CurrentActor Owner => TestActors.User(OwnerId, Id);

    /// <summary>A context of this business acting as its owner.</summary>
    public TidingsDbContext Context(TimeProvider? clock = null) => Database.Context(Id, Owner, clock);
}

public static class TestActors
{
    public static CurrentActor System(string name = "tests")
    {
        var actor = new CurrentActor();
        actor.SetSystem(name);
        actor.SetConnection("203.0.113.7", "Tidings.Tests");
        return actor;
    }

    public static CurrentActor User(Guid userId, Guid businessId)
    {
        var actor = new CurrentActor();
        actor.SetUser(userId, businessId, "Test User");
        actor.SetConnection("198.51.100.4", "Tidings.Tests/1.0");
        return actor;
    }
}

/// <summary>A fresh SQLite file per test class.</summary>
public sealed class SqliteDatabase : TestDatabase
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"tidings-test-{Guid.NewGuid():N}.db");

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public override async Task InitializeAsync()
    {
        // Pooling off so the file can be deleted when the class is done.
        var connectionString = $"Data Source={_path};Pooling=False;Default Timeout=60";
        Settings = new DatabaseSettings(DatabaseProvider.Sqlite, connectionString, null);
        await MigrateAsync(connectionString);
        await using var connection = OpenBypassConnection();
        await using var wal = connection.CreateCommand();
        wal.CommandText = "PRAGMA journal_mode=WAL;";
        await wal.ExecuteNonQueryAsync();
    }

    public override DbConnection OpenBypassConnection()
    {
        var connection = new SqliteConnection($"Data Source={_path};Pooling=False;Foreign Keys=True");
        connection.Open();
        return connection;
    }

    public override Task DisposeAsync()
    {
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
            File.Delete(file);
        return Task.CompletedTask;
    }
}

/// <summary>
/// A fresh PostgreSQL database per test class on the server named by TIDINGS_TEST_POSTGRES (a superuser;
/// scripts/test.sh starts one). The schema is owned by tidings_test_owner and migrated as it; the
/// application connects as tidings_test_app, which owns nothing and cannot bypass row-level security.
/// </summary>
public sealed class PostgresDatabase : TestDatabase
{
    public const string OwnerRole = PostgresServer.OwnerRole;
    public const string AppRole = PostgresServer.AppRole;

    private readonly string _database = $"tidings_test_{Guid.NewGuid():N}";

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public string OwnerConnectionString { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await PostgresServer.CreateDatabaseAsync(_database);
        OwnerConnectionString = PostgresServer.ConnectionString(_database, OwnerRole);
        Settings = new DatabaseSettings(DatabaseProvider.Postgres, PostgresServer.ConnectionString(_database, AppRole), null);
        await MigrateAsync(OwnerConnectionString);
    }

    public override DbConnection OpenBypassConnection()
    {
        var connection = new NpgsqlConnection(PostgresServer.ConnectionString(_database, role: null));
        connection.Open();
        return connection;
    }

    public override Task DisposeAsync() => PostgresServer.DropDatabaseAsync(_database);
}

/// <summary>The test server: its two roles, and empty databases owned by the owner role.</summary>
public static class PostgresServer
{
    public const string OwnerRole = "tidings_test_owner";
    public const string AppRole = "tidings_test_app";

    public static readonly TestServer Instance = new("TIDINGS_TEST_POSTGRES", "a throw-away PostgreSQL");

    public static string SuperuserConnectionString => Instance.SuperuserConnectionString;

    /// <summary>A connection string to <paramref name="database"/> as <paramref name="role"/>, or as the superuser when null.</summary>
    public static string ConnectionString(string database, string? role, bool pooling = true) => Instance.ConnectionString(database, role, pooling);

    public static Task CreateDatabaseAsync(string name) => Instance.CreateDatabaseAsync(name);

    public static Task DropDatabaseAsync(string name) => Instance.DropDatabaseAsync(name);
}

/// <summary>
/// A server the test command started (its superuser connection string in <c>variable</c>): the test roles on it, created
/// once per process, and empty databases owned by the owner role.
/// </summary>
/// <param name="sessionSetup">A statement run before creating or dropping a database (Citus: to do it on every node).</param>
public sealed class TestServer(string variable, string what, string? sessionSetup = null)
{
    private readonly SemaphoreSlim _rolesLock = new(1, 1);
    private bool _rolesReady;

    public string SuperuserConnectionString =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{variable} is not set: run the suite with scripts/test.sh, which starts {what}.");

    /// <summary>A connection string to <paramref name="database"/> as <paramref name="role"/>, or as the superuser when null.</summary>
    public string ConnectionString(string database, string? role, bool pooling = true)
    {
        var builder = new NpgsqlConnectionStringBuilder(SuperuserConnectionString) { Database = database, Pooling = pooling, IncludeErrorDetail = true };
        if (role is not null)
        {
            builder.Username = role;
            builder.Password = role;
        }
        return builder.ConnectionString;
    }

    // On Citus a CREATE or DROP DATABASE runs on every node, and the suite's fixtures start and end in parallel: one
    // at a time, so two never wait on each other across nodes.
    private readonly SemaphoreSlim _databasesLock = new(1, 1);

    public async Task CreateDatabaseAsync(string name)
    {
        await _databasesLock.WaitAsync();
        try
        {
            await using var admin = await OpenAdminAsync();
            await EnsureRolesAsync(admin);
            await ExecuteAsync(admin, $"CREATE DATABASE {name} OWNER {PostgresServer.OwnerRole}");
        }
        finally
        {
            _databasesLock.Release();
        }
    }

    /// <remarks>
    /// FORCE ends the database's sessions, pooled ones too; nothing opens them again (each name serves one fixture).
    /// Clearing Npgsql's pools here would also drop the idle connections of every other test running meanwhile,
    /// which some tests hold on purpose (RowLevelSecurityTests' pool of one).
    /// </remarks>
    public async Task DropDatabaseAsync(string name)
    {
        await _databasesLock.WaitAsync();
        try
        {
            // A worker's sessions of the database (those the coordinator's ended sessions opened, Citus's own daemon)
            // may take a moment to go after FORCE ended the coordinator's: a second try finds them gone.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await using var admin = await OpenAdminAsync();
                    await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    return;
                }
                catch (NpgsqlException e) when (attempt >= 10)
                {
                    // A throw-away database on a throw-away server: left behind, it harms nothing, and the tests of the
                    // class have all run and reported. Said on the console so the cause can be looked at.
                    Console.Error.WriteLine($"Test database {name} was not dropped after {attempt} tries: {e.SqlState} {e.Message}");
                    return;
                }
                catch (NpgsqlException e)
                {
                    Console.Error.WriteLine($"Dropping test database {name}, try {attempt}: {e.SqlState} {e.Message}");
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 3)));
                    // Citus's maintenance daemon on a worker can reconnect to the database between tries: end its sessions there too.
                    if (sessionSetup is not null)
                    {
                        try
                        {
                            await using var admin = await OpenAdminAsync();
                            await ExecuteAsync(admin, "SELECT run_command_on_workers($cmd$SELECT pg_terminate_backend(pid) FROM pg_stat_activity " +
                                $"WHERE datname = '{name}' AND pid <> pg_backend_pid()$cmd$)");
                        }
                        catch (NpgsqlException cleaning)
                        {
                            // The next try says whether it mattered.
                            Console.Error.WriteLine($"Ending {name}'s sessions on the workers: {cleaning.SqlState} {cleaning.Message}");
                        }
                        // A two-phase commit left prepared on a worker by a killed process holds the database until recovered.
                        try
                        {
                            await using var database = new NpgsqlConnection(ConnectionString(name, role: null, pooling: false));
                            await database.OpenAsync();
                            await ExecuteAsync(database, "SELECT recover_prepared_transactions()");
                        }
                        catch (PostgresException)
                        {
                            // Gone already on the coordinator, or never given the extension.
                        }
                    }
                }
            }
        }
        finally
        {
            _databasesLock.Release();
        }
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<NpgsqlConnection> OpenAdminAsync()
    {
        var admin = new NpgsqlConnection(SuperuserConnectionString);
        await admin.OpenAsync();
        if (sessionSetup is not null)
            await ExecuteAsync(admin, sessionSetup);
        return admin;
    }

    private async Task EnsureRolesAsync(NpgsqlConnection admin)
    {
        await _rolesLock.WaitAsync();
        try
        {
            if (_rolesReady)
                return;
            // Several test processes may share a server: creating a role that exists is not an error. A plain
            // CREATE ROLE rather than a DO block, which Citus would not propagate to its workers.
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
            _rolesLock.Release();
        }
    }
}
