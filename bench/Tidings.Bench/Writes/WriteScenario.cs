using System.CommandLine;
using System.Globalization;
using Tidings.Bench.Dataset;
using Tidings.Data;
using Tidings.Events;

namespace Tidings.Bench.Writes;

/// <summary>
/// `write`: new events for the large business of a loaded database, created through POST /api/events
/// (validation, client lookup, dedup, notification, audited save) by one client and by several at once,
/// beside the same rows by plain prepared INSERT and by COPY, the ceiling, in the same run.
/// </summary>
public static class WriteScenario
{
    public const string Name = "write";

    /// <summary>The target the issue sets for this machine size; reported, never asserted.</summary>
    public const double TargetEventsPerSecond = 2_000;

    private sealed record Sizes(int ApiEvents, int Clients, TimeSpan Warmup, int PerSave, int Saves, int BatchSize, int Batches, int ProfilePosts,
        TimeSpan StepBudget, int ApiBatch, int ApiBatchEvents)
    {
        public static Sizes For(bool quick) => quick
            ? new(300, 8, TimeSpan.FromSeconds(1), 100, 10, 100, 20, 40, TimeSpan.FromSeconds(0.5), 100, 1_000)
            : new(4_000, 8, TimeSpan.FromSeconds(20), 100, 40, 1_000, 20, 200, TimeSpan.FromSeconds(3), EventCreation.MaxBatch, 40_000);
    }

    public static Command Create()
    {
        var command = new Command(Name, "Events created through POST /api/events (1 and 8 clients) and /api/events/batch beside the audited save alone, plain INSERT and COPY of the same rows.");
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
            var ways = await WriteWays.CreateAsync(database, data.Large, ct);
            var postgres = target.Provider == DatabaseProvider.Postgres;

            Console.Error.WriteLine($"  {target.Name}: POST /api/events, 1 client and {sizes.Clients} clients, {sizes.ApiEvents:N0} events each");
            var api = new List<(WayResult Way, ApiEffects Effects)>();
            IReadOnlyList<PostProfile> profile;
            IReadOnlyList<SplitStep> split;
            await using (var service = await BenchService.StartAsync(database.Settings, ct))
            {
                using var signedIn = await ApiClients.SignInAsync(service, data.Large.PrincipalEmail, DatasetGenerator.Password, sizes.Clients, ct);
                api.Add(await ways.ApiAsync(signedIn, "api, 1 client", "POST /api/events, 1 client", 1, sizes.ApiEvents, sizes.Warmup, ct));
                api.Add(await ways.ApiAsync(signedIn, $"api, {sizes.Clients} clients", $"POST /api/events, {sizes.Clients} clients at once",
                    sizes.Clients, sizes.ApiEvents, sizes.Warmup, ct));
                var perBatch = sizes.ApiBatch.ToString("N0", CultureInfo.InvariantCulture);
                api.Add(await ways.ApiAsync(signedIn, $"api batch of {sizes.ApiBatch}, 1 client", $"POST /api/events/batch, {perBatch} events each, 1 client",
                    1, sizes.ApiBatchEvents, sizes.Warmup, ct, sizes.ApiBatch));
                api.Add(await ways.ApiAsync(signedIn, $"api batch of {sizes.ApiBatch}, 2 clients", $"POST /api/events/batch, {perBatch} events each, 2 clients at once",
                    2, sizes.ApiBatchEvents, sizes.Warmup, ct, sizes.ApiBatch));
                (profile, split) = await ApiProfile.RunAsync(database, service, signedIn, data.Large, ways, sizes.ProfilePosts, sizes.StepBudget, ct);
            }

            Console.Error.WriteLine($"  {target.Name}: audited saves without HTTP, plain INSERT{(postgres ? " and COPY" : "")}");
            var batch = sizes.BatchSize.ToString("N0", CultureInfo.InvariantCulture);
            List<WayResult> direct =
            [
                await ways.ContextSavesAsync("context, 1 event per save", "TidingsDbContext.SaveChangesAsync, 1 event per save (audited; no HTTP, no lookups)",
                    1, sizes.ApiEvents, ct),
                await ways.ContextSavesAsync($"context, {sizes.PerSave} events per save",
                    $"TidingsDbContext.SaveChangesAsync, {sizes.PerSave} events per save (audited; latency per save)", sizes.PerSave, sizes.Saves, ct),
                await ways.InsertPerRowAsync("insert, 1 row per transaction", "plain INSERT, 1 row per transaction (app role)", sizes.ApiEvents, ct),
                await ways.InsertBatchesAsync($"insert, {batch} rows per transaction",
                    $"plain INSERT, {batch} rows per transaction (app role; latency per transaction)", sizes.BatchSize, sizes.Batches, ct),
            ];
            if (postgres)
            {
                direct.Add(await ways.StagedCopyAsync($"staged copy, {batch} rows",
                    $"Tidings' BulkInsert: COPY to a temp table + INSERT ... SELECT, {batch} rows (app role; per transaction)", sizes.BatchSize, sizes.Batches, ct));
                direct.Add(await ways.CopyAsync($"copy, {batch} rows",
                    $"binary COPY, {batch} rows (superuser; per transaction)", sizes.BatchSize, sizes.Batches, ct));
            }
            var ceiling = direct[^1];

            var result = new BenchResult(Name, target.Name, database.Server, startedAt, settings.Events, settings.Quick, MachineInfo.Current(),
                [
                    .. data.Figures(),
                    .. api.SelectMany(a => a.Way.Figures().Concat(a.Effects.Figures(a.Way.Key))),
                    .. direct.SelectMany(p => p.Figures()),
                    new("ceiling", ceiling.EventsPerSecond, "events/s"),
                    .. ApiProfile.Figures(profile, split, postgres),
                ],
                [Table(api.Select(a => a.Way).Concat(direct).ToList(), ceiling), ApiProfile.SplitTable(split)],
                Notes(sizes, api, direct, profile, split, postgres));
            Console.WriteLine();
            Console.WriteLine(result.ToMarkdown());
            Console.WriteLine($"Wrote {await result.SaveAsync(settings.ResultsDirectory, ct)}");
        }
    }

    private static BenchTable Table(IReadOnlyList<WayResult> ways, WayResult ceiling) => new(
        "Creating events: ways and their ceiling",
        ["way", "events/s", "p50 ms", "p95 ms", "p99 ms", "vs ceiling"],
        ways.Select(w => (IReadOnlyList<string>)
        [
            w.Label, BenchResult.Format(w.EventsPerSecond), BenchResult.Format(w.Latency.P50Ms), BenchResult.Format(w.Latency.P95Ms),
            BenchResult.Format(w.Latency.P99Ms), w == ceiling ? "ceiling" : $"{100 * w.EventsPerSecond / ceiling.EventsPerSecond:0.0} %",
        ]).ToList());

    private static List<string> Notes(Sizes sizes, List<(WayResult Way, ApiEffects Effects)> api, List<WayResult> direct,
        IReadOnlyList<PostProfile> profile, IReadOnlyList<SplitStep> split, bool postgres)
    {
        var notes = new List<string>
        {
            $"Each single-POST way posts {sizes.ApiEvents:N0} new events of the large business as its principal (an owner, signed in once per client), " +
            $"each batch way {sizes.ApiBatchEvents:N0} in requests of {sizes.ApiBatch:N0} (latency per request), after " +
            $"{sizes.Warmup.TotalSeconds:0} s of untimed POSTs (a fresh service's tiered JIT keeps recompiling hot code for a minute or more; " +
            $"JIT time left in the measured runs: {string.Join(", ", api.Select(a => $"{a.Effects.Jit.TotalMilliseconds / a.Effects.Events:0.00} ms per event"))}). " +
            "Events are what a classifier sends: one in ten at relevance 0.8 or more (a notification for the client's assigned user), one in " +
            "twenty repeating an earlier URL and title (dedup marks it). Every answer was 201 (200 for a batch, every event created), and events, notifications and audit rows went up " +
            "by exactly what the answers imply (checked after each way; the run fails otherwise). " +
            $"Duplicates marked / planted: {string.Join(", ", api.Select(a => $"{a.Effects.Marked}/{a.Effects.Planted}"))}.",
            "The other ways write the same kind of rows (fresh ids, content hash, duplicate links) without HTTP: through TidingsDbContext " +
            "(stamped, checked, audited: one audit row per event, checked) and by plain prepared INSERT and COPY (events rows only: no lookups, " +
            $"audit rows or notifications). Batched ways run {sizes.Batches} timed transactions after an untimed one; their latency columns " +
            "are per transaction. The INSERTs run as the app role with the business set per transaction" +
            (postgres ? ", so row-level security checks every row." : "."),
            postgres
                ? "Ceiling: binary COPY as the superuser the data was loaded with, indexes, check constraints and foreign keys in force: " +
                  "PostgreSQL refuses COPY FROM into a table under row-level security to any role the policies bind (the app role), " +
                  "which is why Tidings' own bulk path copies into a temporary table and moves the rows with one INSERT ... SELECT."
                : "Ceiling: SQLite has no COPY; its fastest way in is the prepared INSERT re-bound per row in one transaction, the batched row above.",
            TargetNote(api, direct, profile, split, postgres),
        };
        foreach (var kind in profile.Where(k => k.Kind != ApiProfile.Duplicate))
            notes.Add($"Statements of one POST ({kind.Kind}, as {(postgres ? "Npgsql sent them" : "EF executed them")}):\n\n{ApiProfile.Statements(kind, postgres)}");
        return notes;
    }

    private static string TargetNote(List<(WayResult Way, ApiEffects Effects)> api, List<WayResult> direct, IReadOnlyList<PostProfile> profile,
        IReadOnlyList<SplitStep> split, bool postgres)
    {
        var (best, effects) = api.MaxBy(a => a.Way.EventsPerSecond);
        var met = best.EventsPerSecond >= TargetEventsPerSecond;
        var cores = Environment.ProcessorCount;
        var cpu = effects.Cpu;
        var note = $"Target: API event creation at least {TargetEventsPerSecond:N0} events/s on a 2-core machine. Measured {best.EventsPerSecond:N0} events/s " +
            $"({best.Label}, {100 * best.EventsPerSecond / TargetEventsPerSecond:0} % of the target): **{(met ? "met" : "missed")}**. " +
            $"{TargetEventsPerSecond:N0} events/s on {cores} cores leaves {1000.0 * cores / TargetEventsPerSecond:0.00} ms of CPU per event for everything; " +
            $"with {best.Label} the machine was {100 * cpu.Utilisation:0} % busy and an event cost " +
            $"{cpu.Process.TotalMilliseconds / effects.Events:0.00} ms of CPU in this process (bench clients, Kestrel, the endpoint, EF, Npgsql)" +
            (cpu.Others is { } others && postgres ? $" and {others.TotalMilliseconds / effects.Events:0.00} ms in the rest of the machine (the database server)." : ".");
        if (split.Count == 4)
            note += $" Back to back, an HTTP round trip with no database work took {split[0].Latency.MeanMs:0.00} ms, authentication added " +
                $"{split[1].Latency.MeanMs - split[0].Latency.MeanMs:0.00} ms and the endpoint {split[2].Latency.MeanMs - split[1].Latency.MeanMs:0.00} ms more; " +
                $"the audited save of one event alone takes {split[3].Latency.MeanMs:0.00} ms.";
        if (profile.FirstOrDefault(k => k.Kind == ApiProfile.Plain) is { } plain)
            note += $" A plain new event runs {plain.EfCommands:0.#} EF statements (authentication's token lookup included) in {plain.Transactions:0.#} transaction(s)" +
                (postgres ? $": {plain.RoundTrips:0.#} round trips to PostgreSQL, each read outside a transaction carrying the tenant's DO block, then set_config, the batched INSERTs and COMMIT." : ".");
        if (direct.FirstOrDefault(w => w.Key.StartsWith("context, 1 ", StringComparison.Ordinal)) is { } one
            && direct.FirstOrDefault(w => w.Key.StartsWith("context, ", StringComparison.Ordinal) && w != one) is { } many)
            note += $" Saving events through the same audited context path many at a time reaches {many.EventsPerSecond:N0} events/s on one connection, " +
                $"against {one.EventsPerSecond:N0} one event per save.";
        return note;
    }
}
