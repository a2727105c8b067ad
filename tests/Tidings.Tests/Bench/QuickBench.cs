using System.Text.Json;
using Tidings.Tests.Infrastructure;

namespace Tidings.Tests.Bench;

/// <summary>Runs one benchmark scenario's --quick mode in-process on one provider and reads back the figures it saved.</summary>
public static class QuickBench
{
    public static async Task<Dictionary<string, double>> RunAsync(string scenario, string provider, string results)
    {
        string[] args = [scenario, "--quick", "--provider", provider, "--results", results];
        if (provider == "postgres")
            args = [.. args, "--connection", PostgresServer.SuperuserConnectionString];
        else if (provider == "citus")
            args = [.. args, "--connection", CitusCluster.Coordinator.SuperuserConnectionString];

        Assert.Equal(0, await Tidings.Bench.BenchCli.RunAsync(args));

        var json = Assert.Single(Directory.GetFiles(results, $"{scenario}-{provider}-*.json"));
        Assert.Single(Directory.GetFiles(results, $"{scenario}-{provider}-*.md"));
        using var result = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        return result.RootElement.GetProperty("figures").EnumerateArray()
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("value").GetDouble());
    }
}
