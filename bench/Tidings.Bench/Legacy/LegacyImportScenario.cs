using System.CommandLine;
using System.Diagnostics;
using Tidings.Legacy;

namespace Tidings.Bench.Legacy;

/// <summary>
/// `legacy-import`: an old-app file of N events brought into a fresh, migrated database through the
/// import engine's library entry point, timed end to end (read, map, write, verify, commit), beside the
/// raw-SQL ceiling for moving the same events.
/// </summary>
public static class LegacyImportScenario
{
    public const string Name = "legacy-import";
    private const string BusinessName = "Bench Legacy Co";

    public static Command Create()
    {
        var command = new Command(Name, "Generate an old-app SQLite file (cached in the temporary folder) and time its import into each provider.");
        new ScenarioOptions(defaultEvents: 1_000_000, quickEvents: 20_000,
            citusRefused: "it times an import into one server; on Citus the import goes into local tables before db distribute").AddTo(command, RunAsync);
        return command;
    }

    private static async Task RunAsync(ScenarioSettings settings, CancellationToken ct)
    {
        var file = await LegacyFileCache.GetOrCreateAsync(settings.Events, ct);
        Console.WriteLine(file.Reused
            ? $"Reusing {file.Path} (generated earlier in {file.Generation.TotalSeconds:0.0} s)."
            : $"Generated {file.Path} in {file.Generation.TotalSeconds:0.0} s.");
        Console.WriteLine($"Planted: {file.Contents}");
        foreach (var target in settings.Targets)
        {
            var startedAt = DateTimeOffset.UtcNow;
            await using var database = await BenchDatabase.CreateAsync(target, settings.Keep, ct);
            Measurement.ResetPeakWorkingSet();
            var import = await Measurement.TimeAsync(() => LegacyImport.RunAsync(
                new LegacyImportOptions(file.Path, new TargetBusiness.New(BusinessName), AdminEmail: null), database.Settings, TimeProvider.System, new ConsoleProgress(), ct));
            var peak = Measurement.PeakWorkingSetBytes();
            foreach (var line in import.Value.Lines())
                Console.WriteLine(line);
            var ceiling = await LegacyImportCeiling.MeasureAsync(file.Path, database, ct);

            var result = new BenchResult(Name, target.Name, database.Server, startedAt, settings.Events, settings.Quick,
                MachineInfo.Current(), Figures(file, import, peak, ceiling));
            Console.WriteLine();
            Console.WriteLine(result.ToMarkdown());
            Console.WriteLine($"Wrote {await result.SaveAsync(settings.ResultsDirectory, ct)}");
        }
    }

    private static List<Figure> Figures(LegacyFile file, Timed<LegacyImportReport> import, long peakBytes, Timed<long> ceiling)
    {
        var events = file.Contents.Events;
        var importRate = events / import.Elapsed.TotalSeconds;
        var ceilingRate = ceiling.Value / ceiling.Elapsed.TotalSeconds;
        List<Figure> figures =
        [
            new("events in file", events, "rows"),
            new("clients in file", file.Contents.Clients, "rows"),
            new("users in file", file.Contents.Users, "rows"),
            new(file.Reused ? "file generation (earlier run, file reused)" : "file generation", file.Generation.TotalSeconds, "s"),
            new("import", import.Elapsed.TotalSeconds, "s"),
            new("import rate", importRate, "events/s"),
            new("raw-SQL ceiling: events as they are into a bare table", ceilingRate, "events/s"),
            new("import rate / ceiling", 100 * importRate / ceilingRate, "%"),
            new("peak working set during import", peakBytes / (1024.0 * 1024), "MiB"),
            new("verification passed", import.Value.Verification?.Passed == true ? 1 : 0, "1 = yes"),
        ];
        figures.AddRange(import.Value.Tables.Select(t => new Figure($"written: {t.Key}", t.Value.Written, "rows")));
        return figures;
    }

    /// <summary>The engine's progress on stderr, at most every few seconds, so a long run shows it is alive at no measurable cost.</summary>
    private sealed class ConsoleProgress : IProgress<LegacyProgress>
    {
        private readonly Stopwatch _sinceLast = Stopwatch.StartNew();
        private string? _stage;

        public void Report(LegacyProgress value)
        {
            if (value.Stage == _stage && _sinceLast.Elapsed < TimeSpan.FromSeconds(5))
                return;
            _stage = value.Stage;
            _sinceLast.Restart();
            Console.Error.WriteLine($"  {value.Stage}: {value.Done:N0} / {value.Total:N0}");
        }
    }
}
