using System.Diagnostics;
using System.Globalization;
using Tidings.Bench.Drills;
using Tidings.Data;

namespace Tidings.Bench.Notify;

/// <summary>
/// A `tidings` verb the notify scenario runs as a process of its own (`serve`, `dispatch`, `dispatch run --once`), the
/// built executable configured by environment variables as in production, on either provider, its output appended to a
/// log file. The dispatcher's settings for the run: Monitoring:AllowPrivateAddresses (the receiver is on 127.0.0.1),
/// the monitor off, and whatever Delivery:* the phase sets.
/// </summary>
public sealed class DispatcherProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string? _timesPath;

    public string LogPath { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    private DispatcherProcess(Process process, string logPath, string? timesPath)
    {
        _process = process;
        LogPath = logPath;
        _timesPath = timesPath;
    }

    public static Dictionary<string, string> Environment(DatabaseSettings database, IReadOnlyDictionary<string, string> settings)
    {
        var environment = ServiceProcess.Environment(database);
        environment["Database__Provider"] = database.Provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres";
        if (database.OwnerConnectionString is null)
            environment.Remove("ConnectionStrings__TidingsOwner");
        environment["Monitoring__Enabled"] = "false";
        environment["Monitoring__AllowPrivateAddresses"] = "true";
        environment["SignIn__SignupsPerAddressPerHour"] = "1000";
        foreach (var (name, value) in settings)
            environment[name] = value;
        return environment;
    }

    /// <summary>
    /// Starts `tidings <paramref name="args"/>`. With <paramref name="measured"/> the shell waits for it and writes its
    /// CPU times (`times`) on exit, since /proc forgets a process that has ended; otherwise the shell becomes the
    /// program (exec), so the process id is the program's own, for SIGKILL and for /proc while it runs.
    /// </summary>
    public static DispatcherProcess Start(IReadOnlyList<string> args, DatabaseSettings database, IReadOnlyDictionary<string, string> settings,
        string workDirectory, string name, bool measured = false)
    {
        var logPath = Path.Combine(workDirectory, $"{name}.log");
        var timesPath = measured ? Path.Combine(workDirectory, $"{name}.times") : null;
        var program = $"{Quote(ServiceProcess.Executable)} {string.Join(' ', args.Select(Quote))} >>{Quote(logPath)} 2>&1";
        var command = measured ? $"{program}; status=$?; times >{Quote(timesPath!)}; exit $status" : $"exec {program}";
        var start = new ProcessStartInfo("/bin/sh", ["-c", command]) { WorkingDirectory = workDirectory, UseShellExecute = false };
        foreach (var (variable, value) in Environment(database, settings))
            start.Environment[variable] = value;
        var process = Process.Start(start) ?? throw new BenchFailedException($"could not start tidings {string.Join(' ', args)}.");
        return new DispatcherProcess(process, logPath, timesPath);
    }

    /// <summary>Waits for the process to end; fails the run when it ended in error.</summary>
    public async Task WaitForExitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        await _process.WaitForExitAsync(limit.Token);
        if (_process.ExitCode != 0)
            throw new BenchFailedException($"tidings exited with {_process.ExitCode}; see {LogPath}.");
    }

    /// <summary>
    /// CPU (user and system) of a measured process that has ended: the second line of the shell's `times`, its
    /// children's, where the shell itself spent next to nothing.
    /// </summary>
    public TimeSpan? EndedCpu()
    {
        if (_timesPath is null || !File.Exists(_timesPath))
            return null;
        var lines = File.ReadAllLines(_timesPath);
        if (lines.Length < 2)
            return null;
        return lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Seconds).Aggregate(TimeSpan.Zero, (a, b) => a + b);
    }

    /// <summary>CPU of a running process so far (from /proc); of an exec'd one only.</summary>
    public TimeSpan? Cpu() => ServiceProcess.CpuTimeOf(_process.Id);

    public string LastLogLine() => File.Exists(LogPath) ? File.ReadLines(LogPath).LastOrDefault(l => l.Trim().Length > 0) ?? "" : "";

    /// <summary>SIGKILL: no shutdown, claims left held, deliveries in flight cut off.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
            _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>"1m2.345s" as dash's and bash's `times` print it.</summary>
    private static TimeSpan Seconds(string value)
    {
        var m = value.IndexOf('m');
        var minutes = double.Parse(value[..m], CultureInfo.InvariantCulture);
        var seconds = double.Parse(value[(m + 1)..].TrimEnd('s'), CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(minutes * 60 + seconds);
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''") + "'";

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM: the host stops gracefully.
            Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])?.WaitForExit();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
            }
        }
        _process.Dispose();
    }
}
