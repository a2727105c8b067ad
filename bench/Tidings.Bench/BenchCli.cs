using System.CommandLine;
using Tidings.Bench.Legacy;

namespace Tidings.Bench;

/// <summary>The benchmark verbs; a test runs their --quick mode in-process.</summary>
public static class BenchCli
{
    public static Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Tidings benchmarks at scale. Each run prints its figures and writes them to bench/results/.");
        root.Subcommands.Add(LegacyImportScenario.Create());
        root.Subcommands.Add(Feed.FeedScenario.Create());
        root.Subcommands.Add(Feed.ScaleScenario.Create());
        root.Subcommands.Add(Writes.WriteScenario.Create());
        root.Subcommands.Add(Audit.AuditScenario.Create());
        root.Subcommands.Add(Drills.DrillScenario.Create());
        root.Subcommands.Add(Classify.ClassifyScenario.Create());
        root.Subcommands.Add(Monitor.MonitorScenario.Create());
        root.Subcommands.Add(Notify.NotifyScenario.Create());
        root.Subcommands.Add(WebApp.WebScenario.Create());
        return root.Parse(args).InvokeAsync();
    }
}
