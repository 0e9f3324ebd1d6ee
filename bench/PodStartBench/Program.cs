using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Bench.PodStart;

var options = BenchOptions.Parse(args);
await using var cluster = await LocalCluster.StartAsync(options.Nodes);
const string Namespace = "podstart";
await cluster.Client.For<Namespace>().CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = Namespace } });
var benchmark = new PodStartBenchmark(cluster.Client, Namespace);
if (options.Warmup > 0)
{
    await benchmark.MeasureAsync("warmup", options.Warmup, options);
}

// The baseline runs beside the idle cluster, so both see the same machine.
var direct = await DirectStart.MeasureAsync(options);
var pods = await benchmark.MeasureAsync("pod", options.Pods, options);
new BenchResult(options, pods, direct).Print(Console.Out);
return 0;
