using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Tidings.Classification;
using Tidings.Data;

namespace Tidings.Monitoring;

/// <summary>
/// `tidings monitor`: the monitor on its own, for deployments that run it apart from `tidings serve` (which then sets
/// Monitoring:Enabled to false). `monitor run --once` processes everything due and exits; `--all` takes every running
/// source now, due or not. Both end with the line "N sources fetched, N not modified, N failed, N new events, N duplicates".
/// </summary>
public static class MonitorCommands
{
    public static Command Create()
    {
        var monitor = new Command("monitor", "Watch every client's sources on its schedule until stopped (the monitor apart from the web service).");
        monitor.SetAction((_, ct) => TidingsCli.ReportingFailuresAsync(() => RunContinuouslyAsync(ct)));

        var once = new Option<bool>("--once") { Description = "Process everything due, print what was done, and exit." };
        var all = new Option<bool>("--all") { Description = "Take every running source now, due or not, then exit." };
        var run = new Command("run", "Run the monitor: until stopped, or with --once or --all for one round.");
        run.Options.Add(once);
        run.Options.Add(all);
        run.SetAction((result, ct) => TidingsCli.ReportingFailuresAsync(() =>
            result.GetValue(once) || result.GetValue(all) ? RunOnceAsync(result.GetValue(all), Console.Out, ct) : RunContinuouslyAsync(ct)));
        monitor.Subcommands.Add(run);
        return monitor;
    }

    private static Task<int> RunOnceAsync(bool everySource, TextWriter output, CancellationToken ct) =>
        WorkerHost.RunOnceAsync(Build(runLoop: false),
            async (services, token) => (await services.GetRequiredService<MonitorRound>().RunAsync(everySource, token)).ToString(), output, ct);

    private static Task<int> RunContinuouslyAsync(CancellationToken ct) => WorkerHost.RunUntilStoppedAsync(Build(runLoop: true), ct);

    private static IHost Build(bool runLoop) => WorkerHost.Build(builder =>
    {
        builder.Services.AddTidingsClassification();
        // The verb is the monitor: Monitoring:Enabled is for `tidings serve`.
        builder.Configuration["Monitoring:Enabled"] = "true";
        builder.Services.AddTidingsMonitoring(builder.Configuration, runLoop);
    });
}
