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

    [Theory]
    [InlineData("write")]
    [InlineData("audit")]
    [InlineData("legacy-import")]
    public async Task Scenarios_that_cannot_run_on_citus_refuse_it_in_one_line(string scenario)
    {
        var error = new StringWriter();
        var before = Console.Error;
        Console.SetError(error);
        try
        {
            Assert.Equal(1, await Tidings.Bench.BenchCli.RunAsync([scenario, "--quick", "--provider", "citus", "--connection", "Host=127.0.0.1;Port=1", "--results", _results]));
        }
        finally
        {
            Console.SetError(before);
        }
        // Console.Error is the process's: another test's progress lines may land here too.
        Assert.Contains(error.ToString().Split('\n'), line => line.StartsWith($"{scenario}: --provider citus: {scenario} does not run on Citus (", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(_results));
    }

    public void Dispose() => Directory.Delete(_results, recursive: true);
}
