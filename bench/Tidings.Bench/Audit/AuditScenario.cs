using System.CommandLine;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Tidings.Bench.Dataset;
using Tidings.Bench.Writes;
using Tidings.Data;

namespace Tidings.Bench.Audit;

/// <summary>
/// `audit`: what the audit trail costs an update. The same live events of the large business are updated
/// (title and relevance score) four ways, alternated block by block in one run: through the product's
/// context with auditing on, the same with the audit rows dropped before they are written, and by plain
/// SQL with and without a like audit_logs INSERT in the same transaction, the ceiling.
/// </summary>
public static class AuditScenario
{
    public const string Name = "audit";

    /// <summary>The issue's target: auditing costs at most this share of update throughput. Reported, never asserted.</summary>
    public const double TargetCost = 0.30;

    private sealed record Sizes(int Updates, int Block, int Warmup, TimeSpan WarmupTime, int ProfileUpdates)
    {
        public static Sizes For(bool quick) => quick
            ? new(200, 20, 10, TimeSpan.FromSeconds(1), 10)
            : new(2_000, 100, 50, TimeSpan.FromSeconds(20), 20);
    }

    /// <summary>A way of updating; <see cref="Actor"/> names it in the audit rows it writes, if it writes any (off keeps its name: none may appear).</summary>
    private sealed record Way(string Key, string Label, bool Audited, string? Actor, Func<AuditTarget, CancellationToken, Task> Update);

    public static Command Create()
    {
        var command = new Command(Name, "Updates per second of the same events with auditing on and off, beside raw SQL with and without the audit row.");
        new ScenarioOptions(defaultEvents: 100_000, quickEvents: 5_000,
            citusRefused: "its plain-SQL ways set the business with set_config, which Citus does not repeat on its workers").AddTo(command, RunAsync);
        return command;
    }

    private static async Task RunAsync(ScenarioSettings settings, CancellationToken ct)
    {
        var sizes = Sizes.For(settings.Quick);
        foreach (var target in settings.Targets)
        {
            var startedAt = DateTimeOffset.UtcNow;
            await using var database = await BenchDatabase.CreateAsync(target, settings.Keep, ct);
            var data = await DatasetLoader.LoadAsync(database, new DatasetShape(settings.Events, settings.Businesses), ct);
            await using var ways = await AuditWays.CreateAsync(database, data.Large, ct);
            Way[] all =
            [
                new("auditing on", "auditing on: TidingsDbContext, load + SaveChangesAsync (UPDATE + audit row)", true, AuditWays.ActorOn, (t, c) => ways.ThroughContextAsync(true, t, c)),
                new("auditing off", "auditing off: the same path, audit rows dropped before writing", false, AuditWays.ActorOff, (t, c) => ways.ThroughContextAsync(false, t, c)),
                new("raw SQL with audit row", "raw SQL: UPDATE + audit_logs INSERT, one transaction (app role)", true, AuditWays.ActorRawOn, (t, c) => ways.RawAsync(true, t, c)),
                new("raw SQL without audit row", "raw SQL: UPDATE only (app role)", false, null, (t, c) => ways.RawAsync(false, t, c)),
            ];

            var targets = await ways.PickAsync(sizes.Warmup + sizes.Updates, ct);
            var (warmup, measured) = (targets[..sizes.Warmup], targets[sizes.Warmup..]);
            Console.Error.WriteLine($"  {target.Name}: {measured.Count:N0} events updated 4 ways, alternated in blocks of {sizes.Block}");
            // Untimed rounds over the warm-up events until the runtime's tiered JIT has done most of its recompiling.
            var warming = Stopwatch.StartNew();
            do
            {
                foreach (var way in all)
                    foreach (var t in warmup)
                        await way.Update(t, ct);
            }
            while (warming.Elapsed < sizes.WarmupTime);
            ways.ResetPreSave();
            var before = await AuditRowsAsync(ways, ct);
            var samples = all.ToDictionary(w => w, _ => new List<double>());
            var blocks = measured.Chunk(sizes.Block).ToList();
            for (var b = 0; b < blocks.Count; b++)
            {
                // Each block starts with the next way, so none always runs first (or last) on a table that grows dead rows as it goes.
                for (var k = 0; k < all.Length; k++)
                {
                    var way = all[(b + k) % all.Length];
                    foreach (var t in blocks[b])
                    {
                        var one = Stopwatch.StartNew();
                        await way.Update(t, ct);
                        samples[way].Add(one.Elapsed.TotalMilliseconds);
                    }
                }
            }
            var (preOn, preOff) = (ways.PreSave(true), ways.PreSave(false));
            var after = await AuditRowsAsync(ways, ct);
            var written = all.ToDictionary(w => w, w => w.Actor is null ? 0 : after.GetValueOrDefault(w.Actor) - before.GetValueOrDefault(w.Actor));
            await CheckAsync(ways, all, written, before.Values.Sum(), after.Values.Sum(), measured.Count, targets.Count, ct);

            var profiled = warmup[..Math.Min(sizes.ProfileUpdates, warmup.Count)];
            var profile = await ProfileAsync(database, all, profiled, ct);
            var latency = samples.ToDictionary(s => s.Key, s => ConcurrentRun.Of(s.Value, TimeSpan.FromMilliseconds(s.Value.Sum())));
            var result = new BenchResult(Name, target.Name, database.Server, startedAt, settings.Events, settings.Quick, MachineInfo.Current(),
                Figures(data, all, latency, written, measured.Count, preOn, preOff, profile, profiled.Count),
                Tables(all, latency, written),
                Notes(all, latency, measured.Count, sizes, preOn, preOff, profile, profiled.Count, target.Provider == DatabaseProvider.Postgres));
            Console.WriteLine();
            Console.WriteLine(result.ToMarkdown());
            Console.WriteLine($"Wrote {await result.SaveAsync(settings.ResultsDirectory, ct)}");
        }
    }

    private static async Task<Dictionary<string, long>> AuditRowsAsync(AuditWays ways, CancellationToken ct)
    {
        await using var db = ways.ReadContext();
        return await db.AuditLogs.GroupBy(a => a.ActorName).Select(g => new { g.Key, Rows = g.LongCount() }).ToDictionaryAsync(g => g.Key, g => g.Rows, ct);
    }

    /// <summary>Auditing on wrote one audit row per update, off none at all (under any name), and every event carries a bench revision.</summary>
    private static async Task CheckAsync(AuditWays ways, Way[] all, Dictionary<Way, long> written, long before, long after, int updates, int targets, CancellationToken ct)
    {
        foreach (var way in all.Where(w => written[w] != (w.Audited ? updates : 0)))
            throw new BenchFailedException($"{way.Key}: {written[way]} audit rows for {updates} updates.");
        if (after - before != all.Sum(w => written[w]))
            throw new BenchFailedException($"audit_logs grew by {after - before} rows, {all.Sum(w => written[w])} expected: an unaudited way wrote audit rows.");
        await using var db = ways.ReadContext();
        var revised = await db.Events.CountAsync(e => e.Title.StartsWith(AuditWays.TitlePrefix), ct);
        if (revised != targets)
            throw new BenchFailedException($"{revised} events carry a bench revision, {targets} were updated.");
    }

    /// <summary>What one update sends to the database through the context, on and off, with a counter open (untimed).</summary>
    private static async Task<Dictionary<Way, StatementTally>> ProfileAsync(BenchDatabase database, Way[] all, IReadOnlyList<AuditTarget> targets, CancellationToken ct)
    {
        var tallies = new Dictionary<Way, StatementTally>();
        using var counter = new StatementCounter(database);
        foreach (var way in all[..2])
        {
            counter.Take();
            foreach (var t in targets)
                await way.Update(t, ct);
            tallies[way] = counter.Take();
        }
        return tallies;
    }

    private static List<Figure> Figures(LoadedDataset data, Way[] all, Dictionary<Way, Latency> latency, Dictionary<Way, long> written, int updates,
        TimeSpan preOn, TimeSpan preOff, Dictionary<Way, StatementTally> profile, int profiledUpdates)
    {
        var (on, off, rawOn, rawOff) = (latency[all[0]], latency[all[1]], latency[all[2]], latency[all[3]]);
        List<Figure> figures = [.. data.Figures(), new("updates per way", updates, "updates")];
        foreach (var way in all)
        {
            figures.AddRange(latency[way].Figures(way.Key));
            figures.Add(new($"{way.Key}: audit rows written", written[way], "rows"));
        }
        figures.AddRange(
        [
            new("audit cost, product path (1 - on/off)", 100 * (1 - on.PerSecond / off.PerSecond), "%"),
            new("audit cost, raw SQL (1 - on/off)", 100 * (1 - rawOn.PerSecond / rawOff.PerSecond), "%"),
            new("audit cost upper bound, counting all of the context's pre-save rules as audit", 100 * UpperBound(on, off, preOff), "%"),
            new("time an audit row adds per update, product path", on.MeanMs - off.MeanMs, "ms"),
            new("time an audit row adds per update, raw SQL", rawOn.MeanMs - rawOff.MeanMs, "ms"),
            new("auditing on: TidingsDbContext rules before EF writes, per update", preOn.TotalMilliseconds, "ms"),
            new("auditing off: TidingsDbContext rules before EF writes, per update", preOff.TotalMilliseconds, "ms"),
        ]);
        foreach (var (way, tally) in profile)
        {
            figures.Add(new($"{way.Key}: statements per update (profiled)", tally.EfCommands.Count / (double)profiledUpdates, "statements"));
            if (tally.DriverCommands.Count > 0)
                figures.Add(new($"{way.Key}: round trips per update (profiled)", tally.RoundTrips / (double)profiledUpdates, "round trips"));
        }
        return figures;
    }

    /// <summary>The cost if building the audit entry were as dear as all of TidingsDbContext's rules before writing (off pays for it too).</summary>
    private static double UpperBound(Latency on, Latency off, TimeSpan preOff) => 1 - (off.MeanMs - preOff.TotalMilliseconds) / on.MeanMs;

    private static List<BenchTable> Tables(Way[] all, Dictionary<Way, Latency> latency, Dictionary<Way, long> written)
    {
        var (on, off, rawOn, rawOff) = (latency[all[0]], latency[all[1]], latency[all[2]], latency[all[3]]);
        var cost = 1 - on.PerSecond / off.PerSecond;
        var rawCost = 1 - rawOn.PerSecond / rawOff.PerSecond;
        return
        [
            new("Updating the same events: auditing on and off, and the raw-SQL ceiling",
                ["way", "updates/s", "p50 ms", "p95 ms", "p99 ms", "audit rows written"],
                all.Select(w => (IReadOnlyList<string>)
                [
                    w.Label, BenchResult.Format(latency[w].PerSecond), BenchResult.Format(latency[w].P50Ms),
                    BenchResult.Format(latency[w].P95Ms), BenchResult.Format(latency[w].P99Ms), BenchResult.Format(written[w]),
                ]).ToList()),
            new("Audit cost = 1 - on/off (target: at most 30 %)",
                ["path", "on updates/s", "off updates/s", "audit cost", "target"],
                [
                    ["TidingsDbContext (the product)", BenchResult.Format(on.PerSecond), BenchResult.Format(off.PerSecond), $"{100 * cost:0.0} %",
                        cost <= TargetCost ? "met" : "missed"],
                    ["raw SQL (the ceiling)", BenchResult.Format(rawOn.PerSecond), BenchResult.Format(rawOff.PerSecond), $"{100 * rawCost:0.0} %", "-"],
                ]),
        ];
    }

    private static List<string> Notes(Way[] all, Dictionary<Way, Latency> latency, int updates, Sizes sizes, TimeSpan preOn, TimeSpan preOff,
        Dictionary<Way, StatementTally> profile, int n, bool postgres)
    {
        var (on, off, rawOn, rawOff) = (latency[all[0]], latency[all[1]], latency[all[2]], latency[all[3]]);
        var cost = 1 - on.PerSecond / off.PerSecond;
        var added = on.MeanMs - off.MeanMs;
        var addedRaw = rawOn.MeanMs - rawOff.MeanMs;
        string Sent(Way way) => postgres
            ? $"{profile[way].EfCommands.Count / (double)n:0.#} EF statements, {profile[way].RoundTrips / (double)n:0.#} round trips"
            : $"{profile[way].EfCommands.Count / (double)n:0.#} statements";
        return
        [
            $"Each way updated the same {updates:N0} live events of the large business once (title and relevance score; every update changes the row), " +
            $"one at a time, alternated in blocks of {sizes.Block} with the starting way rotating, after {sizes.WarmupTime.TotalSeconds:0} s of untimed updates of {sizes.Warmup} other events. " +
            "Updates/s is 1 / mean time per update. The context ways open a TidingsDbContext per update as a request does (tenant set, actor the " +
            "business's principal), load the event and save it; the raw ways run one prepared UPDATE (and INSERT) " +
            (postgres ? "as the app role, the business set in the same batch, one round trip before COMMIT." : "in one transaction.") +
            " Checked: auditing on and raw with audit wrote exactly one audit row per update, off and raw without none; the run fails otherwise.",
            $"Target: auditing costs at most {100 * TargetCost:0} % of update throughput. Measured {100 * cost:0.0} % through the product path: " +
            $"**{(cost <= TargetCost ? "met" : "missed")}**.",
            $"What the cost is made of: an audited update takes {added:0.000} ms more than an unaudited one through the context; the same audit row " +
            $"by raw SQL adds {addedRaw:0.000} ms, the database's share: one more row in audit_logs and its four indexes (primary key; business + created; " +
            "business + table + record; business + user), " + (postgres ? "three jsonb values parsed, " : "") +
            "two foreign-key checks (business; business + user)" + (postgres ? ", row-level security's check of the new row; the INSERT travels in the same batch as the UPDATE, so no extra round trip. " : ". ") +
            $"The rest, {added - addedRaw:0.000} ms, is in the process: EF tracking, ordering and binding a second entity (13 parameters) and reading back its result. " +
            $"Both context ways pay for building the audit entry (the changed columns' old and new values as JSON) before EF writes: " +
            $"TidingsDbContext's rules before writing (tenancy twice, soft delete, stamping, change detection, audit description) took " +
            $"{preOn.TotalMilliseconds:0.000} ms per update on and {preOff.TotalMilliseconds:0.000} ms off, so the figure above leaves that part out; " +
            $"counting all of those rules as audit cost gives an upper bound of {100 * UpperBound(on, off, preOff):0.0} %.",
            $"Per update through the context (profiled over {n} updates each, untimed): auditing on {Sent(all[0])}, auditing off {Sent(all[1])}.",
        ];
    }
}
