using System.CommandLine;
using Tidings.Bench.Dataset;
using Tidings.Data;
using Tidings.Events;

namespace Tidings.Bench.Feed;

/// <summary>
/// `scale`: the first page and the unread page at 100k, 1M and 10M events in all (10M on PostgreSQL only),
/// each size a fresh database of the same shape, so the large business grows with the total: how latency
/// grows with the size of the database and of the business read. A small business's first page shows
/// what a neighbour of the large one gets.
/// </summary>
public static class ScaleScenario
{
    public const string Name = "scale";

    private static readonly int[] FullSizes = [100_000, 1_000_000, 10_000_000];
    private static readonly int[] QuickSizes = [2_000, 10_000];
    private const int SqliteLargest = 1_000_000;

    public static Command Create()
    {
        var command = new Command(Name, "Time the first and unread feed pages at 100k, 1M and 10M events (10M on PostgreSQL only), each beside its SQL ceiling.");
        new ScenarioOptions(defaultEvents: FullSizes[^1], quickEvents: QuickSizes[^1]).AddTo(command, RunAsync);
        return command;
    }

    /// <summary>The sizes to run: the standard steps up to --events, and --events itself when it is not one of them.</summary>
    public static List<int> Sizes(ScenarioSettings settings, DatabaseProvider provider)
    {
        var largest = provider == DatabaseProvider.Sqlite && !settings.Quick ? Math.Min(settings.Events, SqliteLargest) : settings.Events;
        var sizes = (settings.Quick ? QuickSizes : FullSizes).Where(s => s <= largest).ToList();
        if (!sizes.Contains(largest))
            sizes.Add(largest);
        return sizes;
    }

    private static async Task RunAsync(ScenarioSettings settings, CancellationToken ct)
    {
        foreach (var target in settings.Targets)
        {
            var startedAt = DateTimeOffset.UtcNow;
            List<Figure> figures = [];
            List<IReadOnlyList<string>> rows = [];
            var firstPage = new Dictionary<int, double>();
            string server = "";
            var sizes = Sizes(settings, target.Provider);
            foreach (var size in sizes)
            {
                Console.Error.WriteLine($"  {size:N0} events");
                await using var database = await BenchDatabase.CreateAsync(target, settings.Keep, ct);
                server = database.Server;
                var data = await DatasetLoader.LoadAsync(database, new DatasetShape(size, settings.Businesses), ct);
                // The median business: what most tenants of the same database are.
                var small = data.Businesses.OrderBy(b => b.Events).ElementAt(data.Businesses.Count / 2);
                await using var large = await FeedProbe.OpenAsync(database, data.Large, service: null, ct);
                await using var neighbour = await FeedProbe.OpenAsync(database, small, service: null, ct);

                var at = $"{size:N0} events";
                figures.Add(new($"{at}: large business events", data.Large.Events, "rows"));
                figures.Add(new($"{at}: median business events", small.Events, "rows"));
                figures.Add(new($"{at}: data load", data.Elapsed.TotalSeconds, "s"));
                if (data.Distributed is { } distributed)
                    figures.Add(new($"{at}: distribute", distributed.TotalSeconds, "s"));
                var cells = new List<string> { size.ToString("N0"), data.Large.Events.ToString("N0"), $"{data.Elapsed.TotalSeconds:0}" };
                var measures = new[]
                {
                    (large, new FeedCase("first page", new FeedFilter()), "large business, first page"),
                    (large, new FeedCase("unread=true", new FeedFilter(Unread: true)), "large business, unread=true"),
                    (neighbour, new FeedCase("first page", new FeedFilter()), "median business, first page"),
                };
                foreach (var (probe, feedCase, _) in measures)
                    await FeedScenario.WarmUpAsync(probe, [feedCase], settings.WarmUpFor / measures.Length, ct, http: false);
                foreach (var (probe, feedCase, label) in measures)
                {
                    await probe.CheckSamePageAsync(feedCase, ct);
                    var measured = await Latency.MeasureInTurnAsync(
                        [() => probe.TidingsAsync(feedCase, ct), () => probe.CeilingAsync(feedCase, ct)], settings.MeasureFor, settings.MinRuns);
                    var (tidings, ceiling) = (measured[0], measured[1]);
                    figures.AddRange(tidings.Figures($"{at}: {label}, Tidings query"));
                    figures.AddRange(ceiling.Figures($"{at}: {label}, SQL ceiling"));
                    cells.Add($"{tidings.P50Ms:0.00} / {tidings.P99Ms:0.00}");
                    cells.Add($"{ceiling.P50Ms:0.00}");
                    if (label == "large business, first page")
                        firstPage[size] = tidings.P50Ms;
                }
                rows.Add(cells);
            }

            var notes = new List<string>();
            if (sizes.Count > 1)
            {
                var growth = firstPage[sizes[^1]] / firstPage[sizes[0]];
                figures.Add(new($"large business first page, {sizes[^1]:N0} against {sizes[0]:N0} events (p50)", growth, "x"));
                notes.Add($"Target (PostgreSQL, 10M against 100k): the first page within 1.5x. Here {sizes[^1]:N0} against {sizes[0]:N0} events: " +
                    $"{growth:0.00}x, {(growth <= 1.5 ? "met" : "MISSED")}.");
            }
            var table = new BenchTable("Feed as the database grows (Tidings p50 / p99 ms, ceiling p50 ms)",
                ["events", "large business", "load s", "large first page", "ceiling", "large unread", "ceiling", "median business first page", "ceiling"], rows);
            var result = new BenchResult(Name, target.Name, server, startedAt, sizes[^1], settings.Quick, MachineInfo.Current(), figures, [table], notes);
            Console.WriteLine();
            Console.WriteLine(result.ToMarkdown());
            Console.WriteLine($"Wrote {await result.SaveAsync(settings.ResultsDirectory, ct)}");
        }
    }
}
