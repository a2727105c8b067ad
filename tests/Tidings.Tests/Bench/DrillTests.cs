using System.Text.Json;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Bench;

/// <summary>
/// The drills' quick mode against the real service (the built `tidings` executable in a process of its own) on
/// the tests' PostgreSQL: what must always hold, never how fast. Hostile requests for every operation of the
/// OpenAPI document get no 5xx and write nothing; SIGKILL in the middle of batch writes and of a legacy import
/// leaves every batch whole or absent, every row audited, and nothing of the import. The load drills need wrk
/// and are run by hand (docs/operations.md, "Drills").
/// </summary>
public sealed class DrillTests : IDisposable
{
    private readonly string _results = Directory.CreateTempSubdirectory("tidings-drill-results-").FullName;

    [Fact]
    public async Task Hostile_requests_for_every_operation_get_no_5xx_and_write_nothing()
    {
        var figures = await RunAsync("hostile");

        Assert.True(figures["hostile: requests sent"] > 500);
        // The report names each 5xx and each table written, with what was sent.
        Assert.True(figures["hostile: 5xx answers"] == 0 && figures["hostile: tables written"] == 0, await ReportAsync());
    }

    [Fact]
    public async Task Killing_the_service_mid_batch_and_the_import_mid_run_leaves_nothing_half_written()
    {
        var figures = await RunAsync("crash");

        Assert.True(figures["crash: batches sent"] > 0);
        Assert.Equal(0, figures["crash: batches half there"]);
        Assert.Equal(0, figures["crash: batches answered 200 and missing"]);
        Assert.Equal(0, figures["crash: events without their audit row"]);
        Assert.Equal(0, figures["crash: audit rows without their event"]);
        Assert.Equal(0, figures["crash: notifications without their audit row"]);
        Assert.Equal(0, figures["crash: tables changed by the killed import"]);
        Assert.Equal(1, figures["crash: re-run verified"]);
    }

    private async Task<Dictionary<string, double>> RunAsync(string drill)
    {
        Assert.Equal(0, await Tidings.Bench.BenchCli.RunAsync(
            ["drill", "--quick", "--only", drill, "--events", "100", "--connection", PostgresServer.SuperuserConnectionString, "--results", _results]));
        return await FiguresAsync();
    }

    private async Task<string> ReportAsync() =>
        await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(_results, "drill-postgres-*.md")));

    private async Task<Dictionary<string, double>> FiguresAsync()
    {
        var json = Assert.Single(Directory.GetFiles(_results, "drill-postgres-*.json"));
        using var result = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        return result.RootElement.GetProperty("figures").EnumerateArray()
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("value").GetDouble());
    }

    public void Dispose() => Directory.Delete(_results, recursive: true);
}
