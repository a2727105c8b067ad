using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Tidings.Bench.Drills;

/// <summary>
/// The PostgreSQL server a drill runs against: the one given (--connection or TIDINGS_BENCH_POSTGRES, a
/// superuser), or one the drill starts in a temporary folder and removes afterwards. Either way the drill can
/// restart it (pg_ctl restart -m fast), run as the postgres user when the drill runs as root, as initdb and
/// pg_ctl require; a given server must then be on this machine.
/// </summary>
public sealed class DrillPostgres : IAsyncDisposable
{
    private readonly string? _scratch;

    public string SuperuserConnectionString { get; }

    private DrillPostgres(string connectionString, string? scratch)
    {
        SuperuserConnectionString = connectionString;
        _scratch = scratch;
    }

    public static async Task<DrillPostgres> GivenOrStartAsync(string? given, CancellationToken ct)
    {
        if (given is not null)
            return new DrillPostgres(given, null);
        var bin = await BinDirectoryAsync(null, ct);
        var scratch = Directory.CreateTempSubdirectory("tidings-drill-pg-").FullName;
        var data = Path.Combine(scratch, "data");
        if (IsRoot)
            await RunAsync("chown", ["postgres:", scratch], asPostgres: false, ct);
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"], asPostgres: true, ct);
        var port = FreePort();
        // Production-like durability (fsync and synchronous_commit stay on); connections for the service's pool,
        // the raw-SQL ceiling's 64 and the drill's own.
        await File.AppendAllTextAsync(Path.Combine(data, "postgresql.conf"), $"""

            listen_addresses = '127.0.0.1'
            port = {port}
            unix_socket_directories = '{scratch}'
            max_connections = 300
            """, ct);
        await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(scratch, "log"), "-w", "-s", "start"], asPostgres: true, ct);
        Console.WriteLine($"Started PostgreSQL on 127.0.0.1:{port} ({data}).");
        return new DrillPostgres($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres", scratch);
    }

    /// <summary>pg_ctl restart -m fast: sessions are ended, the server stops and starts again. Answers how long it took.</summary>
    public async Task<TimeSpan> RestartAsync(CancellationToken ct)
    {
        var (bin, data) = await LocateAsync(ct);
        var stopwatch = Stopwatch.StartNew();
        // The restarted server's output goes to a log file: left on pg_ctl's, it would hold the pipe open for good.
        var log = Path.Combine(Path.GetTempPath(), $"tidings-drill-restart-{Path.GetFileName(data.TrimEnd('/'))}-{Environment.ProcessId}.log");
        await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", log, "-m", "fast", "-w", "-s", "restart"], asPostgres: true, ct);
        var took = stopwatch.Elapsed;
        // The drill's own pooled connections died with the old server; the service's are what the drill is watching.
        NpgsqlConnection.ClearAllPools();
        return took;
    }

    /// <summary>
    /// CPU used so far by the server's sessions on one database (their backend processes, from /proc): with the
    /// service's own CPU it says what a request costs the machine, however busy the machine is with other work.
    /// </summary>
    public async Task<Dictionary<int, TimeSpan>> BackendCpuAsync(string database, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(SuperuserConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE datname = @database AND pid <> pg_backend_pid()", connection);
        command.Parameters.AddWithValue("database", database);
        var cpu = new Dictionary<int, TimeSpan>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            if (ServiceProcess.CpuTimeOf(reader.GetInt32(0)) is { } used)
                cpu[reader.GetInt32(0)] = used;
        return cpu;
    }

    /// <summary>CPU the backends spent between two readings (one that started in between spent all of its own then).</summary>
    public static TimeSpan Spent(Dictionary<int, TimeSpan> before, Dictionary<int, TimeSpan> after) =>
        after.Aggregate(TimeSpan.Zero, (sum, a) => sum + a.Value - before.GetValueOrDefault(a.Key));

    private async Task<(string Bin, string Data)> LocateAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(SuperuserConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT current_setting('data_directory')", connection);
        var data = (string)(await command.ExecuteScalarAsync(ct))!;
        return (await BinDirectoryAsync(connection.PostgreSqlVersion.Major, ct), data);
    }

    /// <summary>Debian's layout (/usr/lib/postgresql/N/bin), else whatever pg_config names.</summary>
    private static async Task<string> BinDirectoryAsync(int? major, CancellationToken ct)
    {
        var candidates = major is { } m ? [$"/usr/lib/postgresql/{m}/bin"]
            : Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin")) : [];
        foreach (var dir in candidates)
            if (File.Exists(Path.Combine(dir, "pg_ctl")))
                return dir;
        try
        {
            return (await RunAsync("pg_config", ["--bindir"], asPostgres: false, ct)).Trim();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or BenchFailedException)
        {
            throw new BenchFailedException("PostgreSQL's programs (pg_ctl, initdb) were not found: apt-get install -y postgresql-15, or give --connection.");
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static async Task<string> RunAsync(string program, IReadOnlyList<string> args, bool asPostgres, CancellationToken ct)
    {
        var start = asPostgres && IsRoot
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", program, .. args])
            : new ProcessStartInfo(program, args);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        // postgres refuses to start from a directory it cannot read.
        start.WorkingDirectory = "/";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
            throw new BenchFailedException($"{Path.GetFileName(program)} {string.Join(' ', args)} failed ({process.ExitCode}): {(await error).Trim()}");
        return await output;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_scratch is null)
            return;
        NpgsqlConnection.ClearAllPools();
        try
        {
            var bin = await BinDirectoryAsync(null, CancellationToken.None);
            await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", Path.Combine(_scratch, "data"), "-m", "immediate", "-w", "-s", "stop"], asPostgres: true, CancellationToken.None);
        }
        finally
        {
            Directory.Delete(_scratch, recursive: true);
        }
    }
}
