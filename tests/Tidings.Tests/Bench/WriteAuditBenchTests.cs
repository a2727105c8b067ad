namespace Tidings.Tests.Bench;

/// <summary>
/// The write and audit benchmarks' --quick mode, so they cannot rot unnoticed. Nothing about speed is
/// asserted: only that each run completes and that its figures say what was really written.
/// </summary>
public sealed class WriteAuditBenchTests : IDisposable
{
    private readonly string _results = Directory.CreateTempSubdirectory("tidings-bench-results-").FullName;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task The_write_benchmark_runs_quick_and_every_way_writes_the_events_it_sent(string provider)
    {
        var figures = await QuickBench.RunAsync("write", provider, _results);

        foreach (var way in new[] { "api, 1 client", "api, 8 clients", "api batch of 100, 1 client", "api batch of 100, 2 clients",
            "insert, 1 row per transaction", "insert, 100 rows per transaction" })
        {
            Assert.True(figures[$"{way}: events sent"] > 0, way);
            Assert.Equal(figures[$"{way}: events sent"], figures[$"{way}: events written"]);
        }
        if (provider == "postgres")
            Assert.Equal(figures["copy, 100 rows: events sent"], figures["copy, 100 rows: events written"]);
        // Every event and every notification the API created left exactly one audit row.
        Assert.Equal(figures["api, 8 clients: events written"] + figures["api, 8 clients: notifications written"],
            figures["api, 8 clients: audit rows written"]);
        Assert.Equal(figures["api batch of 100, 2 clients: events written"] + figures["api batch of 100, 2 clients: notifications written"],
            figures["api batch of 100, 2 clients: audit rows written"]);
        // One client sees every original committed before its repeat (or earlier in the same batch); at once, a slow original may still be in flight.
        Assert.Equal(figures["api, 1 client: duplicates planted"], figures["api, 1 client: duplicates marked by the service"]);
        Assert.Equal(figures["api batch of 100, 1 client: duplicates planted"], figures["api batch of 100, 1 client: duplicates marked by the service"]);
        Assert.InRange(figures["api, 8 clients: duplicates marked by the service"], 1, figures["api, 8 clients: duplicates planted"]);
        Assert.True(figures["profile, new event: EF commands per POST"] > 0);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task The_audit_benchmark_runs_quick_and_only_audited_ways_write_audit_rows(string provider)
    {
        var figures = await QuickBench.RunAsync("audit", provider, _results);

        var updates = figures["updates per way"];
        Assert.True(updates > 0);
        Assert.Equal(updates, figures["auditing on: audit rows written"]);
        Assert.Equal(0, figures["auditing off: audit rows written"]);
        Assert.Equal(updates, figures["raw SQL with audit row: audit rows written"]);
        Assert.Equal(0, figures["raw SQL without audit row: audit rows written"]);
    }

    public void Dispose() => Directory.Delete(_results, recursive: true);
}
