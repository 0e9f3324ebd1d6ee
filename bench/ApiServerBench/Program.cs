using KubeMesh.Bench.ApiServer;
using StackExchange.Redis;

var options = BenchOptions.Parse(args);
await using var store = await StoreProcess.StartAsync(options.Store);
await using var api = await InProcessApiServer.StartAsync(store.ConnectionString);
if (options.PodPath > 0)
{
    await new PodPathBenchmark(options, api).RunAsync(Console.Out);
    return 0;
}

await using var redis = await ConnectionMultiplexer.ConnectAsync(store.ConnectionString);
var (etcd, etcdUnavailable) = await EtcdProcess.TryStartAsync();
BenchResult result;
await using (etcd)
{
    result = await new ApiServerBenchmark(options, api, redis, store.Pid, etcd, etcdUnavailable).RunAsync();
}

result.Print(Console.Out);
return 0;
