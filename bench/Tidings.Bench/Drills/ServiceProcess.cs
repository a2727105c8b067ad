using System.Diagnostics;
using Tidings.Data;

namespace Tidings.Bench.Drills;

/// <summary>
/// The built `tidings` executable as a process of its own (`tidings serve --urls`), as it runs in production:
/// its own runtime, thread pool and connection pool, configured by environment variables, its output in a log
/// file. The drills load it, restart its database and kill it with SIGKILL.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;

    public Uri BaseAddress { get; }
    public string LogPath { get; }

    private ServiceProcess(Process process, Uri baseAddress, string logPath)
    {
        _process = process;
        BaseAddress = baseAddress;
        LogPath = logPath;
    }

    /// <summary>The `tidings` executable the bench was built with (a project reference puts it beside the bench's own).</summary>
    public static string Executable
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "tidings.exe" : "tidings");
            return File.Exists(path) ? path : throw new BenchFailedException($"{path} is missing: build the bench (dotnet build -c Release bench/Tidings.Bench).");
        }
    }

    /// <summary>What the service and the CLI verbs read: the database, and sign-in limits every drill client (all on 127.0.0.1) would otherwise hit.</summary>
    public static Dictionary<string, string> Environment(DatabaseSettings settings) => new()
    {
        ["Database__Provider"] = "postgres",
        ["ConnectionStrings__Tidings"] = settings.ConnectionString,
        ["ConnectionStrings__TidingsOwner"] = settings.MigrationConnectionString,
        ["SignIn__AttemptsPerAddressPerMinute"] = "1000000",
        // Quiet, as production runs it: at Information every request writes a dozen lines (each SQL statement among them).
        ["Logging__LogLevel__Default"] = "Warning",
        ["DOTNET_NOLOGO"] = "1",
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
    };

    public static async Task<ServiceProcess> StartAsync(DatabaseSettings settings, string workDirectory, CancellationToken ct)
    {
        var port = DrillPostgres.FreePort();
        var logPath = Path.Combine(workDirectory, $"service-{port}.log");
        var process = Start(Executable, ["serve", "--urls", $"http://127.0.0.1:{port}"], settings, workDirectory, logPath);
        var service = new ServiceProcess(process, new Uri($"http://127.0.0.1:{port}"), logPath);
        try
        {
            await service.WaitReadyAsync(TimeSpan.FromSeconds(60), ct);
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a `tidings` verb with its output appended to <paramref name="logPath"/>.</summary>
    public static Process Start(string executable, IReadOnlyList<string> args, DatabaseSettings settings, string workDirectory, string logPath)
    {
        // The shell redirects and then becomes the program (exec), so the process id is the program's own and its
        // output never fills a pipe nobody reads.
        var command = $"exec {Quote(executable)} {string.Join(' ', args.Select(Quote))} >>{Quote(logPath)} 2>&1";
        var start = new ProcessStartInfo("/bin/sh", ["-c", command]) { WorkingDirectory = workDirectory, UseShellExecute = false };
        foreach (var (name, value) in Environment(settings))
            start.Environment[name] = value;
        return Process.Start(start) ?? throw new BenchFailedException($"could not start {executable}.");
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''") + "'";

    public async Task WaitReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
                throw new BenchFailedException($"the service exited ({_process.ExitCode}) before it was ready; see {LogPath}.");
            try
            {
                using var response = await http.GetAsync("/health/ready", ct);
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }
            await Task.Delay(100, ct);
        }
        throw new BenchFailedException($"the service was not ready within {timeout.TotalSeconds:0} s; see {LogPath}.");
    }

    /// <summary>
    /// CPU the service process has used so far (user and system, from /proc/PID/stat in 10 ms ticks): per request, it
    /// says what a load costs whatever else the machine is running.
    /// </summary>
    public TimeSpan CpuTime() => CpuTimeOf(_process.Id) ?? TimeSpan.Zero;

    /// <summary>User and system CPU of a process so far, or null when it is gone.</summary>
    public static TimeSpan? CpuTimeOf(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return TimeSpan.FromMilliseconds(10.0 * (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture)
            + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>SIGKILL: no shutdown, no flushing, requests in flight cut off, as a crash or an OOM kill does.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
            _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM: the host stops gracefully.
            Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
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
