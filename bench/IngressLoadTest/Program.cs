using KubeMesh.Bench.IngressLoadTest;

// Drives the same load with wrk straight at one pod, through the ingress, through a bare YARP app and through
// Debian's nginx configured as the equivalent reverse proxy, in one run, and prints requests/s, p99 latency and
// the ratios. "bare-yarp PORT POD..." runs the bare YARP app itself (the run starts it so).
if (args is [BareYarpApp.Command, .. var yarpArgs])
{
    await BareYarpApp.RunAsync(yarpArgs);
    return;
}

var options = BenchOptions.Parse(args);
Console.WriteLine($"Ingress load test: {options.Backends} echo pods, {options.Connections} connections, {options.Threads} wrk threads, {options.DurationSeconds}s per target, {options.Rounds} round(s) ({(options.Server is null ? "in-process cluster" : "cluster at " + options.Server)})");
Console.WriteLine($"{Environment.ProcessorCount} CPUs; {options.Describe()}; load average at start {LoadAverage.Read()}");

IAsyncDisposable environment;
BenchTarget target;
if (options.Server is null)
{
    (var cluster, target) = await InProcessCluster.StartAsync(options);
    environment = cluster;
}
else
{
    (var deployment, target) = await ClusterDeployment.StartAsync(options);
    environment = deployment;
}

await using (environment)
{
    await using var nginx = await NginxProxy.StartAsync(target.Pods, options);
    await using var yarp = await BareYarpProxy.StartAsync(target.Pods, options);
    var columns = new (string Name, string Url)[]
    {
        ("direct (one pod)", $"http://{target.Pods[0]}/"),
        ("ingress (ours)", target.IngressUrl),
        ("bare YARP", $"http://127.0.0.1:{yarp.Port}/"),
        ("nginx", $"http://127.0.0.1:{nginx.Port}/"),
    };

    // Warm up the JIT, connection pools and nginx's keepalive pool before measuring.
    foreach (var (_, url) in columns.Skip(1))
    {
        await Wrk.RunAsync("warmup", url, target.Host, options, options.WarmupSeconds);
    }

    // Rounds interleave the columns, so a burst of other work on the machine hits them all alike; the median counts.
    var results = columns.Select(_ => new List<WrkResult>()).ToArray();
    for (var round = 0; round < options.Rounds; round++)
    {
        for (var i = 0; i < columns.Length; i++)
        {
            results[i].Add(await Wrk.RunAsync(columns[i].Name, columns[i].Url, target.Host, options, options.DurationSeconds));
        }
    }

    var median = results.Select(r => r.OrderBy(x => x.RequestsPerSecond).ElementAt(r.Count / 2)).ToArray();
    Report.Print(median[0], median[1], median[2], median[3]);
}
