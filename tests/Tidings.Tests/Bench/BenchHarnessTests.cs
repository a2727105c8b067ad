using System.Text.Json;
using Tidings.Tests.Infrastructure;

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
        string[] args = ["legacy-import", "--quick", "--provider", provider, "--results", _results];
        if (provider == "postgres")
            args = [.. args, "--connection", PostgresServer.SuperuserConnectionString];

        Assert.Equal(0, await Tidings.Bench.BenchCli.RunAsync(args));

        var json = Assert.Single(Directory.GetFiles(_results, $"legacy-import-{provider}-*.json"));
        Assert.Single(Directory.GetFiles(_results, $"legacy-import-{provider}-*.md"));
        using var result = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var figures = result.RootElement.GetProperty("figures").EnumerateArray()
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("value").GetDouble());
        Assert.Equal(1, figures["verification passed"]);
        Assert.Equal(figures["events in file"], figures["written: events"]);
        Assert.True(figures["import rate"] > 0);
    }

    public void Dispose() => Directory.Delete(_results, recursive: true);
}
