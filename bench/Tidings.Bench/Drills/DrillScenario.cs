using System.CommandLine;
using System.Data.Common;
using Npgsql;
using Tidings.Data;

namespace Tidings.Bench.Drills;

public sealed record DrillSettings(string? Connection, bool Quick, TimeSpan Duration, int Connections, int Events, int Seed,
    IReadOnlySet<string> Drills, string ResultsDirectory, string? ServiceOptions = null, bool Keep = false);

/// <summary>
/// `drill`: the real service (the built `tidings` executable, `serve --urls`, a process of its own) on PostgreSQL
/// with the README's two roles, put through load, a database restart under load, SIGKILL in the middle of writes,
/// and hostile input. Figures, not assertions; the test of the quick mode asserts only what must always hold
/// (no 5xx, nothing written by bad requests).
/// </summary>
public static class DrillScenario
{
    public const string Name = "drill";
    public const string Load = "load", Restart = "restart", Crash = "crash", Hostile = "hostile";
    public static readonly string[] AllDrills = [Load, Restart, Crash, Hostile];

    public static Command Create()
    {
        var connection = new Option<string?>("--connection")
        {
            Description = $"PostgreSQL server (a superuser) to run on; default ${ScenarioOptions.PostgresVariable}, else the drill starts one of its own in a temporary folder. The restart drill needs it on this machine.",
        };
        var quick = new Option<bool>("--quick") { Description = "A short run: 3 s per load, 1,000 events, a small legacy file." };
        var duration = new Option<int?>("--duration") { Description = "Seconds per load run (default 60; --quick 3)." };
        var connections = new Option<int>("--connections") { Description = "Connections of the load runs (default 64; the feed also runs at half).", DefaultValueFactory = _ => 64 };
        var events = new Option<int?>("--events") { Description = "Events of the drills' business (default 20,000; --quick 1,000)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the hostile requests (default 1).", DefaultValueFactory = _ => 1 };
        var only = new Option<string[]>("--only") { Description = $"Run only these drills: {string.Join(", ", AllDrills)} (default all).", AllowMultipleArgumentsPerToken = true };
        only.AcceptOnlyFromAmong(AllDrills);
        var serviceOptions = new Option<string?>("--service-options")
        {
            Description = "Npgsql settings added to the service's connection string, to try one out (\"Max Auto Prepare=20\").",
        };
        var keep = new Option<bool>("--keep") { Description = "Leave the drills' database in place afterwards and print where it is, to look into a figure (on a server given by --connection; one the drill starts is removed)." };
        var results = new Option<DirectoryInfo?>("--results") { Description = "Where result files go (default: bench/results of this repository)." };
        var command = new Command(Name, "Load, database restart, crash and hostile-input drills against the real service on PostgreSQL.");
        foreach (var option in new Option[] { connection, quick, duration, connections, events, seed, only, serviceOptions, keep, results })
            command.Options.Add(option);
        command.SetAction(async (result, ct) =>
        {
            try
            {
                var isQuick = result.GetValue(quick);
                var chosen = result.GetValue(only) is { Length: > 0 } named ? named : AllDrills;
                var given = result.GetValue(connection) ?? Environment.GetEnvironmentVariable(ScenarioOptions.PostgresVariable);
                var settings = new DrillSettings(string.IsNullOrWhiteSpace(given) ? null : given, isQuick,
                    TimeSpan.FromSeconds(result.GetValue(duration) ?? (isQuick ? 3 : 60)), result.GetValue(connections),
                    result.GetValue(events) ?? (isQuick ? 1_000 : 20_000), result.GetValue(seed), chosen.ToHashSet(),
                    result.GetValue(results)?.FullName ?? ScenarioOptions.DefaultResultsDirectory(), result.GetValue(serviceOptions), result.GetValue(keep));
                if (settings.Connections < 2 || settings.Duration <= TimeSpan.Zero || settings.Events < 100)
                    throw new BenchFailedException("--connections must be at least 2, --duration positive and --events at least 100.");
                await RunAsync(settings, ct);
                return 0;
            }
            catch (Exception e) when (e is BenchFailedException or VerbFailedException or DbException)
            {
                await Console.Error.WriteLineAsync($"{Name}: {e.Message.ReplaceLineEndings(" ")}");
                return 1;
            }
        });
        return command;
    }

    public static async Task RunAsync(DrillSettings settings, CancellationToken ct)
    {
        var startedAt = DateTimeOffset.UtcNow;
        if (settings.Drills.Contains(Load) || settings.Drills.Contains(Restart))
            WrkRun.EnsureInstalled();
        await using var postgres = await DrillPostgres.GivenOrStartAsync(settings.Connection, ct);
        await using var database = await BenchDatabase.CreateAsync(new BenchTarget(DatabaseProvider.Postgres, postgres.SuperuserConnectionString), settings.Keep, ct);
        var work = Directory.CreateTempSubdirectory("tidings-drill-").FullName;
        var report = new DrillReport();
        if (settings.ServiceOptions is { } tried)
            report.Notes.Add($"The service ran with `{tried}` added to its connection string.");
        var serviceSettings = settings.ServiceOptions is { } extra
            ? database.Settings with { ConnectionString = database.Settings.ConnectionString + ";" + extra }
            : database.Settings;
        var service = await ServiceProcess.StartAsync(serviceSettings, work, ct);
        try
        {
            Console.WriteLine($"Service: {ServiceProcess.Executable} serve --urls {service.BaseAddress} (log {service.LogPath})");
            var own = await DrillData.CreateAsync(service.BaseAddress, "Drill Co", clients: 20, settings.Events, ct);
            var foreign = await DrillData.CreateAsync(service.BaseAddress, "Foreign Co", clients: 2, events: 20, ct);
            Console.WriteLine($"Made {own.EventIds.Count:N0} events for {own.ClientIds.Count} clients, and a foreign business.");
            // As an operator does after a bulk load: without it the first minute of load sets the fresh rows' hint bits and
            // visibility map on every read, and the first run (service or ceiling) measures that instead of the work.
            await using (var loader = new NpgsqlConnection(database.LoaderConnectionString))
            {
                await loader.OpenAsync(ct);
                await using var vacuum = new NpgsqlCommand("VACUUM (ANALYZE)", loader) { CommandTimeout = 600 };
                await vacuum.ExecuteNonQueryAsync(ct);
            }

            if (settings.Drills.Contains(Hostile))
                report.Hostile(await HostileDrill.RunAsync(service.BaseAddress, own, foreign, database.LoaderConnectionString, settings.Seed, ct));
            if (settings.Drills.Contains(Load))
            {
                await using var context = DatabaseSetup.CreateContext(database.Settings, database.Settings.ConnectionString, new(), new(), TimeProvider.System);
                report.Load(await LoadDrill.RunAsync(service, postgres, new NpgsqlConnectionStringBuilder(database.Settings.ConnectionString).Database!, database.Settings, context.Model, own, settings, work, ct));
            }
            if (settings.Drills.Contains(Restart))
                report.Restart(await RestartDrill.RunAsync(service.BaseAddress, own, postgres, settings.Connections,
                    settings.Quick ? TimeSpan.FromSeconds(12) : settings.Duration, ct));
            if (settings.Drills.Contains(Crash))
            {
                var batches = await CrashDrill.BatchWritesAsync(service, own, database.LoaderConnectionString, TimeSpan.FromSeconds(settings.Quick ? 2 : 5), ct);
                await service.DisposeAsync();
                service = await ServiceProcess.StartAsync(serviceSettings, work, ct);
                using var http = own.Client(service.BaseAddress);
                using var feed = await http.GetAsync("/api/events", ct);
                report.BatchCrash(batches, (int)feed.StatusCode);
                report.ImportCrash(await CrashDrill.LegacyImportAsync(database.Settings, database.LoaderConnectionString,
                    settings.Quick ? 20_000 : 200_000, TimeSpan.FromSeconds(settings.Quick ? 1.5 : 6), work, ct));
            }
        }
        finally
        {
            await service.DisposeAsync();
            if (report.Failed)
                Console.WriteLine($"Kept the service's logs in {work}.");
            else
                Directory.Delete(work, recursive: true);
        }

        var result = new BenchResult(Name, "postgres", database.Server, startedAt, settings.Events, settings.Quick, MachineInfo.Current(),
            report.Figures, report.Tables, report.Notes);
        Console.WriteLine();
        Console.WriteLine(result.ToMarkdown());
        Console.WriteLine($"Wrote {await result.SaveAsync(settings.ResultsDirectory, ct)}");
    }
}
