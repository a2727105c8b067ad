using System.CommandLine;
using Tidings.Bench.Legacy;

var root = new RootCommand("Tidings benchmarks at scale. Each run prints its figures and writes them to bench/results/.");
root.Subcommands.Add(LegacyImportScenario.Create());
return await root.Parse(args).InvokeAsync();
