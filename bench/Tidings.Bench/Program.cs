return await Tidings.Bench.BenchCli.RunAsync(args);
