namespace Tidings.Tests.Bench;

/// <summary>
/// The monitor benchmark's --quick mode, so the harness cannot rot: the farm, the bulk-loaded sources, the monitor
/// processes it drives and the rounds' totals. Nothing about speed is asserted; the counts are, since each says the
/// round did what its name says (every fresh item stored once, every unchanged feed answered 304, each changed feed
/// read once even with two processes sharing the round).
/// </summary>
public sealed class MonitorBenchTests : IDisposable
{
    private readonly string _results = Directory.CreateTempSubdirectory("tidings-bench-results-").FullName;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task The_monitor_benchmark_runs_quick_and_each_round_reads_what_its_name_says(string provider)
    {
        var figures = await QuickBench.RunAsync("monitor", provider, _results);

        Assert.Equal(400, figures["rows: sources"]);
        Assert.Equal(80, figures["rows: clients"]);
        Assert.Equal(50, figures["fresh sources (never fetched)"]); // 1,000 items, twenty a feed
        Assert.Equal(350 * 20, figures["events stored before the first round (the other sources' items)"]);

        const string first = "first round, 1 process";
        Assert.Equal((50d, 50d, 0d), (figures[$"{first}: sources"], figures[$"{first}: fetched"], figures[$"{first}: failed"]));
        Assert.Equal(1_000, figures[$"{first}: new events"] + figures[$"{first}: duplicates"]);
        Assert.Equal(50, figures[$"{first}: farm answers 200"]);
        Assert.True(figures[$"{first}: new events"] > figures[$"{first}: duplicates"]);
        Assert.True(figures[$"{first}: peak working set of a monitor process"] > 0);

        AssertNotModified(figures, "not-modified round, 1 process");
        AssertChanged(figures, "changed round, 1 process");
        if (provider == "postgres")
        {
            AssertNotModified(figures, "not-modified round, 2 processes");
            AssertChanged(figures, "changed round, 2 processes");
            Assert.True(figures["two processes / one, not-modified round"] > 0);
        }
        else
        {
            Assert.DoesNotContain(figures.Keys, k => k.Contains("2 processes", StringComparison.Ordinal));
        }
        Assert.True(figures["classifier alone: headlines per CPU second"] > 0);
    }

    private static void AssertNotModified(Dictionary<string, double> figures, string round)
    {
        Assert.Equal((400d, 400d, 0d, 0d), (figures[$"{round}: sources"], figures[$"{round}: not modified"], figures[$"{round}: fetched"], figures[$"{round}: failed"]));
        Assert.Equal((0d, 400d), (figures[$"{round}: farm answers 200"], figures[$"{round}: farm answers 304"]));
        Assert.Equal(0, figures[$"{round}: new events"] + figures[$"{round}: duplicates"]);
    }

    /// <summary>A tenth of the feeds changed by two items: each read once (the others 304), only the two new items stored.</summary>
    private static void AssertChanged(Dictionary<string, double> figures, string round)
    {
        Assert.Equal((400d, 40d, 360d, 0d), (figures[$"{round}: sources"], figures[$"{round}: fetched"], figures[$"{round}: not modified"], figures[$"{round}: failed"]));
        Assert.Equal((40d, 360d), (figures[$"{round}: farm answers 200"], figures[$"{round}: farm answers 304"]));
        Assert.Equal(80, figures[$"{round}: new events"] + figures[$"{round}: duplicates"]);
    }

    public void Dispose() => Directory.Delete(_results, recursive: true);
}
