using Tidings.Bench.Dataset;
using Tidings.Data;
using Tidings.Data.Tenancy;

namespace Tidings.Bench.Writes;

/// <summary>The average POST of one kind: what it sent to the database and where its time went.</summary>
public sealed record PostProfile(string Kind, int Posts, double EfCommands, double Transactions, double DriverCommands, double RoundTrips,
    double RequestMs, double DatabaseMs, StatementTally Example);

/// <summary>One step of the per-request split, run sequentially: its latency, and the CPU this process spent per run.</summary>
public sealed record SplitStep(string Step, Latency Latency, double CpuMs);

/// <summary>
/// Where a POST /api/events goes. First a split, each step run back to back by one client: an HTTP round
/// trip to an endpoint with no database work, the same carrying the bearer token (so authentication's token
/// lookup), a full POST, and the service's audited save of one event through a context without HTTP or
/// lookups. Then sequential POSTs with a <see cref="StatementCounter"/> open, each one's statements taken
/// apart, grouped into plain new events, events that notify someone, and duplicates (the counter costs a
/// little per statement, so those request times are not throughput figures).
/// </summary>
public static class ApiProfile
{
    public const string Plain = "new event";
    public const string Notifying = "new event that notifies";
    public const string Duplicate = "duplicate";

    public static async Task<(IReadOnlyList<PostProfile> Kinds, IReadOnlyList<SplitStep> Split)> RunAsync(
        BenchDatabase database, BenchService service, ApiClients signedIn, GeneratedBusiness business, WriteWays ways, int posts, TimeSpan stepBudget, CancellationToken ct)
    {
        using var api = signedIn.First(1);
        using var anonymous = new HttpClient { BaseAddress = service.BaseAddress };
        var toPost = ClassifierEvents.Make(business, "split-post", 20_000);
        var toSave = ClassifierEvents.Rows(ClassifierEvents.Make(business, "split-save", 20_000), business);
        var (posted, saved) = (0, 0);
        List<SplitStep> split =
        [
            await StepAsync("GET /health/live, no token: HTTP round trip, Kestrel, routing", async () =>
            {
                using var response = await anonymous.GetAsync("/health/live", ct);
                response.EnsureSuccessStatusCode();
            }, stepBudget),
            await StepAsync("GET /health/live with the bearer token: + authentication (scope, context, token lookup)", () => api.GetAsync("/health/live", ct), stepBudget),
            await StepAsync("POST /api/events: + binding, validation, lookups, notification check, audited save, answer", () => api.PostOneAsync(toPost[posted++ % toPost.Count], ct), stepBudget),
            await StepAsync("TidingsDbContext, no HTTP: one event added, SaveChangesAsync (audited)", () => ways.SaveOneAsync(toSave[saved++], ct), stepBudget),
        ];

        var samples = new List<(string Kind, StatementTally Tally, double Ms)>();
        using (var counter = new StatementCounter(database))
        {
            counter.Take();
            foreach (var ev in ClassifierEvents.Make(business, "profile", posts))
            {
                var started = System.Diagnostics.Stopwatch.StartNew();
                var duplicate = await api.PostOneAsync(ev, ct);
                var ms = started.Elapsed.TotalMilliseconds;
                var kind = duplicate ? Duplicate : ways.Notifies(ev, duplicate) ? Notifying : Plain;
                samples.Add((kind, counter.Take(), ms));
            }
        }
        var postgres = database.Provider == DatabaseProvider.Postgres;
        var kinds = samples.GroupBy(s => s.Kind).OrderBy(g => g.Key == Plain ? 0 : g.Key == Notifying ? 1 : 2).Select(g => new PostProfile(
            g.Key, g.Count(),
            g.Average(s => s.Tally.EfCommands.Count), g.Average(s => s.Tally.Transactions),
            g.Average(s => s.Tally.DriverCommands.Count), g.Average(s => s.Tally.RoundTrips),
            g.Average(s => s.Ms), g.Average(s => postgres ? s.Tally.DriverMs : s.Tally.EfMs),
            g.Last().Tally)).ToList();
        return (kinds, split);
    }

    private static async Task<SplitStep> StepAsync(string step, Func<Task> operation, TimeSpan budget)
    {
        const int warmup = 20;
        var cpu = new CpuMeter();
        var latency = await Latency.MeasureAsync(operation, budget, minRuns: 50, warmup: warmup);
        return new SplitStep(step, latency, cpu.Stop().Process.TotalMilliseconds / (latency.Runs + warmup));
    }

    public static BenchTable SplitTable(IReadOnlyList<SplitStep> split) => new(
        "Where a POST's time goes (one client, back to back)",
        ["step", "p50 ms", "mean ms", "CPU of this process per run, ms", "mean added to the step above, ms"],
        split.Select((s, i) => (IReadOnlyList<string>)
        [
            s.Step, BenchResult.Format(s.Latency.P50Ms), BenchResult.Format(s.Latency.MeanMs), BenchResult.Format(s.CpuMs),
            i is 0 or 3 ? "-" : BenchResult.Format(s.Latency.MeanMs - split[i - 1].Latency.MeanMs),
        ]).ToList());

    public static IEnumerable<Figure> Figures(IReadOnlyList<PostProfile> kinds, IReadOnlyList<SplitStep> split, bool postgres)
    {
        foreach (var step in split)
        {
            foreach (var figure in step.Latency.Figures($"split, {step.Step}"))
                yield return figure;
            yield return new($"split, {step.Step}: CPU of this process per run", step.CpuMs, "ms");
        }
        foreach (var k in kinds)
        {
            yield return new($"profile, {k.Kind}: posts", k.Posts, "POSTs");
            yield return new($"profile, {k.Kind}: EF commands per POST", k.EfCommands, "statements");
            yield return new($"profile, {k.Kind}: transactions per POST", k.Transactions, "transactions");
            if (postgres)
            {
                yield return new($"profile, {k.Kind}: driver commands per POST", k.DriverCommands, "commands");
                yield return new($"profile, {k.Kind}: round trips per POST (commands + COMMIT)", k.RoundTrips, "round trips");
            }
            yield return new($"profile, {k.Kind}: request time (sequential, counter open)", k.RequestMs, "ms");
            yield return new($"profile, {k.Kind}: time in database calls", k.DatabaseMs, "ms");
        }
    }

    /// <summary>The statements of one POST, one line each, for the notes.</summary>
    public static string Statements(PostProfile kind, bool postgres)
    {
        var sent = postgres ? kind.Example.DriverCommands : kind.Example.EfCommands;
        var lines = sent.Select((text, i) => $"{i + 1}. `{Shorten(text)}`").ToList();
        if (postgres)
            lines.Add($"{lines.Count + 1}. `COMMIT`" + (kind.Example.Commits > 1 ? $" (x{kind.Example.Commits})" : ""));
        return string.Join("\n", lines);
    }

    private static string Shorten(string sql)
    {
        // PostgresTenantSession puts the tenant's CALL in front of a statement run outside a transaction; name it rather than print it.
        var statement = PostgresTenantSession.StatementOf(sql);
        var oneLine = (statement.Length < sql.Length ? "CALL tidings_set_tenant(...); " : "")
            + string.Join(' ', statement.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries)).Replace('`', '\'');
        return oneLine.Length <= 160 ? oneLine : oneLine[..157] + "...";
    }
}
