namespace Tidings.Tests.Bench;

/// <summary>
/// The feed and scale benchmarks' --quick mode, on both providers and on the Citus test cluster, so the harness
/// cannot rot. Nothing about speed is asserted: that each run completes (it fails itself when the SQL ceiling and
/// Tidings disagree on a page), that the generated data is the size asked for, and that the measured pages never
/// made EF compile a query again.
/// </summary>
public sealed class FeedBenchTests : IDisposable
{
    private readonly string _results = Directory.CreateTempSubdirectory("tidings-bench-results-").FullName;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task The_feed_benchmark_runs_quick_with_a_ceiling_that_returns_the_same_pages(string provider)
    {
        var figures = await QuickBench.RunAsync("feed", provider, _results);

        AssertQuickFeed(figures);
        Assert.DoesNotContain(figures.Keys, k => k.StartsWith("distribute", StringComparison.Ordinal));
    }

    [Fact]
    public async Task On_citus_the_feed_benchmark_loads_then_distributes_and_every_page_reaches_one_shard()
    {
        var figures = await QuickBench.RunAsync("feed", "citus", _results);

        AssertQuickFeed(figures);
        Assert.True(figures["data load (generate, bulk load, index, analyze)"] > 0);
        Assert.True(figures["distribute (tidings db distribute: shards, rows copied, foreign keys, analyze)"] > 0);
        var report = await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(_results, "feed-citus-*.md")));
        Assert.Contains(", 2 workers,", report.Split('\n')[0], StringComparison.Ordinal);
        // Every plan, the ceiling's and Tidings' statements alike, is Citus's and reaches a single shard: a statement
        // whose business Citus cannot pin goes to every shard.
        var tasks = System.Text.RegularExpressions.Regex.Matches(report, @"Task Count: (\d+)").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(20, tasks.Count); // per page: the ceiling, Tidings' page, its tags and its stories' other sources
        Assert.All(tasks, count => Assert.Equal("1", count));
    }

    private static void AssertQuickFeed(Dictionary<string, double> figures)
    {
        Assert.Equal(20_000, figures["rows: events"]);
        Assert.Equal(100, figures["rows: businesses"]);
        Assert.Equal(4_000, figures["large business: events"]); // a fifth of all events
        Assert.True(figures["rows: event_user_interactions"] > 0);
        var cases = figures.Keys.Where(k => k.EndsWith(", Tidings query: p50", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, cases.Count);
        foreach (var name in cases.Select(k => k[..k.IndexOf(", Tidings query", StringComparison.Ordinal)]))
        {
            Assert.True(figures[$"{name}, Tidings query: p50"] > 0);
            Assert.True(figures[$"{name}, HTTP: p50"] > 0);
            Assert.True(figures[$"{name}, SQL ceiling: p50"] > 0);
            Assert.Equal(0, figures[$"{name}, Tidings query: EF query compilations while measuring"]);
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task The_scale_benchmark_runs_quick_at_each_size(string provider)
    {
        var figures = await QuickBench.RunAsync("scale", provider, _results);

        foreach (var size in new[] { "2,000", "10,000" })
        {
            Assert.True(figures[$"{size} events: large business events"] > figures[$"{size} events: median business events"]);
            Assert.True(figures[$"{size} events: large business, first page, Tidings query: p50"] > 0);
            Assert.True(figures[$"{size} events: large business, unread=true, SQL ceiling: p50"] > 0);
        }
        Assert.True(figures["large business first page, 10,000 against 2,000 events (p50)"] > 0);
    }

    public void Dispose() => Directory.Delete(_results, recursive: true);
}
