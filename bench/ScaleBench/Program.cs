using KubeMesh.Bench.Scale;

var options = BenchOptions.Parse(args);
await new ScaleBenchmark(options, Console.Out).RunAsync();
return 0;
