namespace Tidings.Tests.Bench;

/// <summary>
/// The benchmarks' --quick mode runs here so the harness cannot rot unnoticed. Nothing about speed is
/// asserted: only that each provider's run completes, verifies the import and writes its results.
/// </summary>
public sealed class BenchHarnessTests : IDisposable
{
    private readonly string _results = Directory.CreateTempSubdirectory("tidings-bench-results-").FullName;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task The_legacy_import_benchmark_runs_quick_and_writes_a_verified_result(string provider)
    {
        var figures = await QuickBench.RunAsync("legacy-import", provider, _results);

        Assert.Equal(1, figures["verification passed"]);
        Assert.Equal(figures["events in file"], figures["written: events"]);
        Assert.True(figures["import rate"] > 0);
    }

    public void Dispose() => Directory.Delete(_results, recursive: true);
}
