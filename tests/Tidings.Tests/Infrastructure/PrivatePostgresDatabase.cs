using System.Data.Common;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Tidings.Data;

namespace Tidings.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL 15 cluster of its own, for tests that stop and restart the server: never the suite's shared
/// one. Made as scripts/test.sh makes that one (initdb as the postgres user when running as root, a free
/// port on 127.0.0.1, durability off), with the same two roles and a migrated database; removed when disposed.
/// </summary>
public sealed class PrivatePostgresDatabase : TestDatabase
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private const string Database = "tidings";
    private readonly string _root = Directory.CreateTempSubdirectory("tidings-private-pg-").FullName;
    private int _port;

    private string DataDirectory => Path.Combine(_root, "data");

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public override async Task InitializeAsync()
    {
        if (!File.Exists(Path.Combine(Bin, "pg_ctl")))
            throw new InvalidOperationException($"PostgreSQL 15 is not installed in {Bin}: scripts/test.sh installs it.");
        if (Environment.IsPrivilegedProcess)
            await RunAsync("chown", "postgres:", _root);
        await AsPostgresAsync("initdb", "--no-sync", "-U", "postgres", "--auth=trust", "-E", "UTF8", "-D", DataDirectory);
        await File.AppendAllTextAsync(Path.Combine(DataDirectory, "postgresql.conf"), $"""

            listen_addresses = '127.0.0.1'
            unix_socket_directories = '{DataDirectory}'
            fsync = off
            synchronous_commit = off
            full_page_writes = off
            """);
        // A port free now may be taken before the server binds it: try the next one then.
        for (var attempt = 0; ; attempt++)
        {
            _port = FreePort();
            try
            {
                await StartAsync();
                break;
            }
            catch (InvalidOperationException) when (attempt < 5)
            {
            }
        }

        await using (var admin = new NpgsqlConnection(ConnectionString("postgres", "postgres")))
        {
            await admin.OpenAsync();
            foreach (var sql in new[]
            {
                $"CREATE ROLE {PostgresDatabase.OwnerRole} LOGIN PASSWORD '{PostgresDatabase.OwnerRole}' NOSUPERUSER NOBYPASSRLS",
                $"CREATE ROLE {PostgresDatabase.AppRole} LOGIN PASSWORD '{PostgresDatabase.AppRole}' NOSUPERUSER NOBYPASSRLS",
                $"CREATE DATABASE {Database} OWNER {PostgresDatabase.OwnerRole}",
            })
            {
                await using var command = new NpgsqlCommand(sql, admin);
                await command.ExecuteNonQueryAsync();
            }
        }
        Settings = new DatabaseSettings(DatabaseProvider.Postgres, ConnectionString(Database, PostgresDatabase.AppRole), null);
        await MigrateAsync(ConnectionString(Database, PostgresDatabase.OwnerRole));
    }

    /// <summary>A fast shutdown, as an operator's restart does: open connections are told the server is going away.</summary>
    public Task StopAsync() => AsPostgresAsync("pg_ctl", "-D", DataDirectory, "-m", "fast", "-w", "-s", "stop");

    /// <summary>Starts the server and waits until it accepts connections.</summary>
    public Task StartAsync() =>
        AsPostgresAsync("pg_ctl", "-D", DataDirectory, "-l", Path.Combine(_root, "log"), "-o", $"-p {_port}", "-w", "-s", "start");

    public override DbConnection OpenBypassConnection()
    {
        var connection = new NpgsqlConnection(ConnectionString(Database, "postgres"));
        connection.Open();
        return connection;
    }

    public override async Task DisposeAsync()
    {
        // Its server stops: its pooled connections are dead and never used again. Clearing every pool would also drop
        // the idle connections other tests hold meanwhile (TestServer.DropDatabaseAsync).
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            await AsPostgresAsync("pg_ctl", "-D", DataDirectory, "-m", "immediate", "-s", "stop");
        Directory.Delete(_root, recursive: true);
    }

    private string ConnectionString(string database, string user) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = _port, Database = database, Username = user, Password = user,
    }.ConnectionString;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>initdb and pg_ctl refuse to run as root: as root they run as postgres, from a directory it may read.</summary>
    private static Task AsPostgresAsync(string tool, params string[] args) =>
        Environment.IsPrivilegedProcess
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(Bin, tool), .. args])
            : RunAsync(Path.Combine(Bin, tool), args);

    private static async Task RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = "/", RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        // A guard against a hung tool, not a timing assertion.
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(guard.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {process.ExitCode}: {await output}{await error}");
    }
}
