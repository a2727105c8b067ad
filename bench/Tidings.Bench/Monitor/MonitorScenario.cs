using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Tidings.Bench.Writes;
using Tidings.Classification;
using Tidings.Data;

namespace Tidings.Bench.Monitor;

/// <summary>
/// `monitor`: the monitor against the issue's targets, on a farm of generated feeds served on loopback. A share of the
/// sources is read from nothing (every item classified and stored), then every source again with nothing changed (all
/// 304), then with a tenth of the feeds changed; then the same not-modified and changed rounds by two monitor processes
/// at once. Each monitor is a process of its own (`monitor worker`), so its CPU and memory are its own; the farm runs
/// in the bench process, and PostgreSQL's backends are measured apart, so a figure says where the time went.
/// </summary>
public static class MonitorScenario
{
    public const string Name = "monitor";

    private const double TargetNotModifiedPerSecond = 500, TargetEventsPerSecond = 200, TargetTwoProcesses = 1.7, TargetWorkingSetMb = 300;

    private static readonly Option<int?> SourcesOption = new("--sources") { Description = "How many sources (farm feeds, five per client; default 10,000, --quick 400)." };
    private static readonly Option<int> ConcurrencyOption = new("--concurrency")
    {
        Description = "Monitoring:Concurrency of each monitor process: fetches at once (default 32).",
        DefaultValueFactory = _ => 32,
    };

    public static Command Create()
    {
        var command = new Command(Name, "Run the monitor over a farm of generated feeds on loopback: first reads, not-modified and changed rounds, one and two processes.");
        command.Options.Add(SourcesOption);
        command.Options.Add(ConcurrencyOption);
        // --events: the items the first round turns into events (twenty per fresh source).
        new ScenarioOptions(defaultEvents: 20_000, quickEvents: 1_000).AddTo(command, RunAsync);
        command.Subcommands.Add(MonitorWorker.Create());
        return command;
    }

    private static async Task RunAsync(ScenarioSettings settings, ParseResult parsed, CancellationToken ct)
    {
        var sources = parsed.GetValue(SourcesOption) ?? (settings.Quick ? 400 : 10_000);
        var concurrency = parsed.GetValue(ConcurrencyOption);
        if (sources < 10 || concurrency is < 1 or > 256)
            throw new BenchFailedException("--sources must be at least 10 and --concurrency from 1 to 256.");
        foreach (var target in settings.Targets)
            await RunAsync(settings, target, sources, concurrency, ct);
    }

    private static async Task RunAsync(ScenarioSettings settings, BenchTarget target, int sources, int concurrency, CancellationToken ct)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var loadAtStart = LoadAverage();
        await using var database = await BenchDatabase.CreateAsync(target, settings.Keep, ct);
        await using var farm = await FeedFarm.StartAsync(sources, ct);
        var fresh = Math.Clamp(settings.Events / FeedFarm.ItemsPerFeed, 1, sources);
        var clients = (sources + FeedFarm.FeedsPerClient - 1) / FeedFarm.FeedsPerClient;
        // At least ten clients a business, so a business's claims hold several sources.
        var businesses = Math.Clamp(settings.Businesses, 1, Math.Max(1, clients / 10));
        Console.Error.WriteLine($"  loading {businesses} businesses, {clients:N0} clients, {sources:N0} sources ({fresh:N0} fresh)");
        var data = await MonitorData.LoadAsync(database, farm, businesses, fresh, ct);
        var probe = new BackendCpu(database);

        var rounds = new List<MeasuredRound>();
        await using (var one = await WorkerProcess.StartAsync(database.Settings, concurrency, ct))
        {
            rounds.Add(await MeasureAsync("first round", "fresh sources, every item new", [one], farm, database, probe, ct));
            rounds.Add(await MeasureAsync("not-modified round", "every source, all 304", [one], farm, database, probe, ct));
            var changed = farm.Change();
            rounds.Add(await MeasureAsync("changed round", $"{changed:N0} feeds with {FeedFarm.NewPerChange} new items", [one], farm, database, probe, ct));
            // SQLite has one writer at a time: two processes would measure its lock, not the monitor.
            if (target.Provider != DatabaseProvider.Sqlite)
            {
                await using var two = await WorkerProcess.StartAsync(database.Settings, concurrency, ct);
                // The second process compiles its code on its first round; that round is not a figure.
                await MeasureAsync("warm-up round", "every source, all 304", [one, two], farm, database, probe, ct);
                rounds.Add(await MeasureAsync("not-modified round", "every source, all 304", [one, two], farm, database, probe, ct));
                changed = farm.Change();
                rounds.Add(await MeasureAsync("changed round", $"{changed:N0} feeds with {FeedFarm.NewPerChange} new items", [one, two], farm, database, probe, ct));
            }
        }

        var classifier = ClassifierAlone(farm, fresh, settings.Quick);
        var result = Report(settings, target, database.Server, startedAt, data, concurrency, rounds, classifier, loadAtStart);
        Console.WriteLine();
        Console.WriteLine(result.ToMarkdown());
        Console.WriteLine($"Wrote {await result.SaveAsync(settings.ResultsDirectory, ct)}");
    }

    /// <summary>One round run by every worker at once, with what it cost each part of the machine.</summary>
    private sealed record MeasuredRound(string Name, string Detail, IReadOnlyList<RoundReport> Reports, double Seconds, double FarmCpu, double? PostgresCpu, double? MachineCpu,
        long Served, long NotModifiedAnswers)
    {
        public int Processes => Reports.Count;
        public int Sources => Reports.Sum(r => r.Sources);
        public int Fetched => Reports.Sum(r => r.Fetched);
        public int NotModified => Reports.Sum(r => r.NotModified);
        public int Failed => Reports.Sum(r => r.Failed);
        public int NewEvents => Reports.Sum(r => r.NewEvents);
        public int Duplicates => Reports.Sum(r => r.Duplicates);
        public int Stored => NewEvents + Duplicates;
        public double MonitorCpu => Reports.Sum(r => r.CpuSeconds);
        public double PeakMb => Reports.Max(r => r.PeakWorkingSetMb);
        public double SourcesPerSecond => Sources / Seconds;
        public double EventsPerSecond => Stored / Seconds;
        public double? OtherCpu => MachineCpu - MonitorCpu - FarmCpu - (PostgresCpu ?? 0);
        public string Key => $"{Name}, {Processes} process{(Processes == 1 ? "" : "es")}";
    }

    /// <summary>
    /// Every round but the first starts with every source made due (untimed), then each process runs `monitor run --once`:
    /// the processes share the backlog through their claims, as they share due work in production. (`--all` would not
    /// do for two processes: each takes what was not fetched since its own round began, so what one finishes before the
    /// other starts is fetched twice.)
    /// </summary>
    private static async Task<MeasuredRound> MeasureAsync(string name, string detail, IReadOnlyList<WorkerProcess> workers, FeedFarm farm, BenchDatabase database,
        BackendCpu probe, CancellationToken ct)
    {
        if (name != "first round")
            await MonitorData.MakeEverySourceDueAsync(database, ct);
        Console.Error.WriteLine($"  {name} ({detail}), {workers.Count} process{(workers.Count == 1 ? "" : "es")}");
        var (served, notModified) = (farm.Served, farm.NotModified);
        var backends = await probe.SampleAsync(ct);
        var meter = new CpuMeter();
        var clock = Stopwatch.StartNew();
        var reports = await Task.WhenAll(workers.Select(w => w.RoundAsync(everySource: false, ct)));
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = meter.Stop();
        var postgres = BackendCpu.Spent(backends, await probe.SampleAsync(ct));
        var round = new MeasuredRound(name, detail, reports, seconds, cpu.Process.TotalSeconds, postgres, cpu.Machine?.TotalSeconds,
            farm.Served - served, farm.NotModified - notModified);
        Console.Error.WriteLine($"    {round.Sources:N0} sources ({round.Fetched:N0} fetched, {round.NotModified:N0} not modified, {round.Failed:N0} failed), " +
            $"{round.Stored:N0} events in {seconds:0.0} s: {round.SourcesPerSecond:0} sources/s, {round.EventsPerSecond:0} events/s");
        return round;
    }

    /// <summary>The ceiling of the first round's classification: the fresh feeds' headlines through the classifier alone, in this process.</summary>
    private sealed record ClassifierRun(int Headlines, double Seconds, double CpuSeconds);

    private static ClassifierRun ClassifierAlone(FeedFarm farm, int fresh, bool quick)
    {
        var headlines = Enumerable.Range(0, farm.Feeds).Where(f => MonitorData.IsFresh(f, farm.Feeds, fresh))
            .SelectMany(f => farm.Items(f).Select(i => new Headline(i.Item.Title, i.Item.Description, FarmHeadlines.ClientName(FeedFarm.ClientOf(f)))))
            .Take(quick ? 500 : 4_000).ToList();
        var classifier = new HeadlineClassifier();
        classifier.WarmUp();
        // Untimed: the tiered JIT recompiles the hot paths over the first batches.
        classifier.Classify(headlines.Take(200).ToList(), BusinessKnowledge.Default, DateTime.UtcNow);
        var meter = new CpuMeter();
        foreach (var batch in headlines.Chunk(Tidings.Events.EventCreation.MaxBatch))
            classifier.Classify(batch, BusinessKnowledge.Default, DateTime.UtcNow);
        var cpu = meter.Stop();
        return new ClassifierRun(headlines.Count, cpu.Wall.TotalSeconds, cpu.Process.TotalSeconds);
    }

    private static BenchResult Report(ScenarioSettings settings, BenchTarget target, string server, DateTimeOffset startedAt, MonitorDataset data,
        int concurrency, List<MeasuredRound> rounds, ClassifierRun classifier, string loadAtStart)
    {
        var figures = new List<Figure>
        {
            new("rows: businesses", data.Businesses, "rows"),
            new("rows: clients", data.Clients, "rows"),
            new("rows: sources", data.Sources, "rows"),
            new("fresh sources (never fetched)", data.FreshSources, "sources"),
            new("events stored before the first round (the other sources' items)", data.SeededEvents, "rows"),
            new("data load", data.Elapsed.TotalSeconds, "s"),
            new("Monitoring:Concurrency", concurrency, "fetches"),
        };
        var rows = new List<IReadOnlyList<string>>();
        foreach (var round in rounds)
        {
            var key = round.Key;
            figures.AddRange(
            [
                new($"{key}: sources", round.Sources, "sources"),
                new($"{key}: fetched", round.Fetched, "sources"),
                new($"{key}: not modified", round.NotModified, "sources"),
                new($"{key}: failed", round.Failed, "sources"),
                new($"{key}: new events", round.NewEvents, "events"),
                new($"{key}: duplicates", round.Duplicates, "events"),
                new($"{key}: farm answers 200", round.Served, "responses"),
                new($"{key}: farm answers 304", round.NotModifiedAnswers, "responses"),
                new($"{key}: wall clock", round.Seconds, "s"),
                new($"{key}: sources per second", round.SourcesPerSecond, "sources/s"),
                new($"{key}: events stored per second", round.EventsPerSecond, "events/s"),
                new($"{key}: monitor CPU", round.MonitorCpu, "s"),
                new($"{key}: farm CPU (bench process)", round.FarmCpu, "s"),
                .. round.PostgresCpu is { } pg ? [new Figure($"{key}: PostgreSQL backends CPU", pg, "s")] : Array.Empty<Figure>(),
                .. round.OtherCpu is { } other ? [new Figure($"{key}: rest of the machine CPU", other, "s")] : Array.Empty<Figure>(),
                new($"{key}: peak working set of a monitor process", round.PeakMb, "MB"),
            ]);
            rows.Add([$"{round.Key} ({round.Detail})", N(round.Sources), N(round.Fetched), N(round.NotModified), N(round.Failed), $"{N(round.NewEvents)} + {N(round.Duplicates)}",
                round.Seconds.ToString("0.0", CultureInfo.InvariantCulture), N(round.SourcesPerSecond), N(round.EventsPerSecond),
                Cpu(round.MonitorCpu), Cpu(round.FarmCpu), Cpu(round.PostgresCpu), Cpu(round.OtherCpu), N(round.PeakMb)]);
        }

        var first = rounds[0];
        var notModified = rounds[1];
        var changed = rounds[2];
        var targets = new List<IReadOnlyList<string>>
        {
            Target("not-modified sources per second, one process", notModified.SourcesPerSecond, TargetNotModifiedPerSecond, atLeast: true),
            Target("new items stored as classified events per second, one process (first round)", first.EventsPerSecond, TargetEventsPerSecond, atLeast: true),
        };
        if (rounds.Count > 3)
        {
            targets.Add(Target("two processes / one, not-modified round (sources/s)", rounds[3].SourcesPerSecond / notModified.SourcesPerSecond, TargetTwoProcesses, atLeast: true));
            targets.Add(Target("two processes / one, changed round (sources/s)", rounds[4].SourcesPerSecond / changed.SourcesPerSecond, TargetTwoProcesses, atLeast: true));
            figures.Add(new("two processes / one, not-modified round", rounds[3].SourcesPerSecond / notModified.SourcesPerSecond, "x"));
            figures.Add(new("two processes / one, changed round", rounds[4].SourcesPerSecond / changed.SourcesPerSecond, "x"));
        }
        targets.Add(Target("peak working set of a monitor process, MB", rounds.Max(r => r.PeakMb), TargetWorkingSetMb, atLeast: false));
        figures.Add(new("classifier alone (bench process, batches of 500): headlines", classifier.Headlines, "headlines"));
        figures.Add(new("classifier alone: headlines per CPU second", classifier.Headlines / classifier.CpuSeconds, "headlines/s"));
        figures.Add(new("classifier alone: headlines per wall second", classifier.Headlines / classifier.Seconds, "headlines/s"));
        figures.Add(new("first round: monitor CPU per stored event", first.MonitorCpu * 1000 / Math.Max(1, first.Stored), "ms"));
        figures.Add(new("classifier alone: CPU per headline", classifier.CpuSeconds * 1000 / classifier.Headlines, "ms"));

        var scale = target.Provider == DatabaseProvider.Postgres && !target.Citus && data.Sources >= 10_000
            ? "" : " The targets are set for 10,000 sources on PostgreSQL; this run is smaller or elsewhere, shown for comparison.";
        var notes = new List<string>
        {
            $"Farm: {data.Sources:N0} RSS 2.0 feeds of {FeedFarm.ItemsPerFeed} business headlines on loopback (Kestrel in the bench process), " +
            $"{FeedFarm.FeedsPerClient} per client, keep=all, strong ETags, 304 on a matching If-None-Match. {data.FreshSources:N0} sources start fresh; the others start " +
            $"as a monitor leaves them (validators held, their items stored as events). Each monitor is its own process (`tidings-bench monitor worker`, " +
            $"composed as `tidings monitor` is: Monitoring:Concurrency={concurrency}, ClaimBatch default, AllowPrivateAddresses=true); each round is `monitor run --once`; " +
            $"before each after the first, every source is made due (untimed), a backlog the processes share through their claims.{scale}",
            $"Where the first round's CPU goes: the monitor spent {first.MonitorCpu * 1000 / Math.Max(1, first.Stored):0.0} ms of CPU per stored event; " +
            $"the classifier alone, on the same headlines in batches of 500, {classifier.CpuSeconds * 1000 / classifier.Headlines:0.0} ms per headline " +
            $"({classifier.Headlines / classifier.CpuSeconds:0} headlines per CPU second): the rest is fetching, reading, duplicates, writes and audit.",
            "CPU columns: the monitor processes' own; the farm's (the bench process); PostgreSQL's backends serving this database (from /proc); the rest " +
            "of the machine (other work sharing the cores: its load average was " + loadAtStart + " at the start and " + LoadAverage() + " at the end).",
        };
        var tables = new[]
        {
            new BenchTable("Targets", ["target", "measured", "wanted", ""], targets),
            new BenchTable("Rounds (CPU in seconds: monitor / farm / PostgreSQL / rest of the machine)",
                ["round", "sources", "fetched", "304", "failed", "new + duplicate events", "wall s", "sources/s", "events/s",
                    "monitor CPU", "farm CPU", "PostgreSQL CPU", "rest CPU", "peak MB"], rows),
        };
        return new BenchResult(Name, target.Name, server, startedAt, settings.Events, settings.Quick, MachineInfo.Current(), figures, tables, notes);
    }

    private static IReadOnlyList<string> Target(string name, double value, double wanted, bool atLeast) =>
        [name, value.ToString(value >= 100 ? "N0" : "0.00", CultureInfo.InvariantCulture), (atLeast ? "≥ " : "≤ ") + wanted.ToString(CultureInfo.InvariantCulture),
            (atLeast ? value >= wanted : value <= wanted) ? "met" : "MISSED"];

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Cpu(double? seconds) => seconds is { } s ? s.ToString("0.0", CultureInfo.InvariantCulture) : "–";

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
