using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tidings.Classification;
using Tidings.Data;
using Tidings.Monitoring;

namespace Tidings.Bench.Monitor;

/// <summary>What one monitor process reported of one round: the round's totals and what the round cost the process.</summary>
public sealed record RoundReport(int Fetched, int NotModified, int Failed, int NewEvents, int Duplicates, double Seconds, double CpuSeconds,
    double WorkingSetMb, double PeakWorkingSetMb)
{
    public int Sources => Fetched + NotModified + Failed;
}

/// <summary>
/// `monitor worker` (hidden): one monitor process under test, composed as `tidings monitor` composes it (data, classifier,
/// monitoring; configured by environment variables), driven over its standard streams: it warms the classifier and
/// prints "ready", then for each line "round all" (every source, `monitor run --all`) or "round due" (what is due,
/// `monitor run --once`) runs one round and prints its <see cref="RoundReport"/> as one line of JSON; "exit" ends it.
/// Its logs go to standard error. A process of its own, so its CPU, threads and memory are its own.
/// </summary>
public static class MonitorWorker
{
    public const string Ready = "ready";

    public static Command Create()
    {
        var command = new Command("worker", "One monitor process driven by the monitor scenario (internal).") { Hidden = true };
        command.SetAction((_, ct) => RunAsync(ct));
        return command;
    }

    private static async Task<int> RunAsync(CancellationToken ct)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = false });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddTidingsData(builder.Configuration);
        builder.Services.AddTidingsClassification();
        builder.Services.AddTidingsMonitoring(builder.Configuration, runLoop: false);
        using var host = builder.Build();
        host.Services.GetRequiredService<HeadlineClassifier>().WarmUp();
        var round = host.Services.GetRequiredService<MonitorRound>();
        Console.WriteLine(Ready);
        while (await Console.In.ReadLineAsync(ct) is { } line && line != "exit")
        {
            if (line is not ("round all" or "round due"))
            {
                await Console.Error.WriteLineAsync($"monitor worker: unknown command '{line}'");
                return 1;
            }
            Measurement.ResetPeakWorkingSet();
            using var self = Process.GetCurrentProcess();
            var cpu = self.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var totals = await round.RunAsync(everySource: line == "round all", ct);
            var seconds = clock.Elapsed.TotalSeconds;
            self.Refresh();
            var report = new RoundReport(totals.Fetched, totals.NotModified, totals.Failed, totals.NewEvents, totals.Duplicates, seconds,
                (self.TotalProcessorTime - cpu).TotalSeconds, self.WorkingSet64 / 1048576.0, self.PeakWorkingSet64 / 1048576.0);
            Console.WriteLine(JsonSerializer.Serialize(report));
        }
        return 0;
    }
}

/// <summary>The scenario's side of a <see cref="MonitorWorker"/>: starts the process, sends it rounds and reads their reports.</summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private WorkerProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public static async Task<WorkerProcess> StartAsync(DatabaseSettings settings, int concurrency, CancellationToken ct)
    {
        var start = new ProcessStartInfo(Executable()) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(MonitorScenario.Name);
        start.ArgumentList.Add("worker");
        start.Environment["Database__Provider"] = settings.Provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres";
        start.Environment["ConnectionStrings__Tidings"] = settings.ConnectionString;
        start.Environment["Monitoring__AllowPrivateAddresses"] = "true";
        start.Environment["Monitoring__Concurrency"] = concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["DOTNET_NOLOGO"] = "1";
        // As `tidings` runs (its runtimeconfig asks for the server collector; the bench's own does not).
        start.Environment["DOTNET_gcServer"] = "1";
        var worker = new WorkerProcess(Process.Start(start) ?? throw new BenchFailedException("could not start a monitor worker."));
        try
        {
            var first = await worker.ReadLineAsync(TimeSpan.FromMinutes(2), ct);
            if (first != MonitorWorker.Ready)
                throw new BenchFailedException($"the monitor worker said '{first}' instead of '{MonitorWorker.Ready}'.");
            return worker;
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }
    }

    /// <summary>The bench's own executable beside this assembly (a project reference puts it beside the tests' too).</summary>
    private static string Executable()
    {
        var path = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "tidings-bench.exe" : "tidings-bench");
        return File.Exists(path) ? path : throw new BenchFailedException($"{path} is missing: build the bench (dotnet build -c Release bench/Tidings.Bench).");
    }

    /// <summary>Runs a round (<paramref name="everySource"/>: "round all", else "round due") and answers its report.</summary>
    public async Task<RoundReport> RoundAsync(bool everySource, CancellationToken ct)
    {
        await _process.StandardInput.WriteLineAsync(everySource ? "round all" : "round due");
        await _process.StandardInput.FlushAsync(ct);
        var line = await ReadLineAsync(TimeSpan.FromHours(2), ct);
        return JsonSerializer.Deserialize<RoundReport>(line!) ?? throw new BenchFailedException($"the monitor worker answered '{line}'.");
    }

    private async Task<string?> ReadLineAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        var line = await _process.StandardOutput.ReadLineAsync(limit.Token);
        return line ?? throw new BenchFailedException($"the monitor worker (process {_process.Id}) ended without answering; its errors are above.");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await _process.StandardInput.WriteLineAsync("exit");
                await _process.StandardInput.FlushAsync();
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await _process.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                }
            }
        }
        catch (IOException)
        {
        }
        _process.Dispose();
    }
}
