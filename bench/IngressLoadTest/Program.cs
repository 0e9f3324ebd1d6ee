using KubeMesh.Bench.IngressLoadTest;

// Drives the same load with wrk straight at the pods, through the ingress, through a bare YARP app and through
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

var scripts = Directory.CreateTempSubdirectory("kubemesh-bench-wrk");
try
{
    await using (environment)
    {
        await using var nginx = await NginxProxy.StartAsync(target.Pods, options);
        await using var yarp = await BareYarpProxy.StartAsync(target.Pods, options);

        // wrk connects each thread to one address: with as many threads as pods, the direct column spreads over the
        // same pods the proxies balance over, so it is a like-for-like baseline.
        var direct = target.Pods.Take(Math.Min(options.Threads, target.Pods.Count)).ToList();
        if (options.Threads % direct.Count != 0)
        {
            Console.WriteLine($"note: {options.Threads} wrk threads over {direct.Count} pods load them unevenly in the direct column");
        }

        var controller = ProcessCpu.ListeningOn(new Uri(target.IngressUrl));
        if (controller is null)
        {
            Console.WriteLine($"note: no process found listening on {target.IngressUrl}; the ingress column reports no CPU per request");
        }

        var columns = new List<Column>
        {
            new($"direct ({direct.Count} pod{(direct.Count == 1 ? "" : "s")})", $"http://{direct[0]}/", Wrk.SpreadScript(direct, scripts), null),
            new("ingress (ours)", target.IngressUrl, null, controller),
            new("bare YARP", $"http://127.0.0.1:{yarp.Port}/", null, yarp.ProcessId),
            new("nginx", $"http://127.0.0.1:{nginx.Port}/", null, nginx.ProcessId),
        };
        if (target.BaselineIngressUrl is { } baseline)
        {
            columns.Add(new("ingress (baseline)", baseline, null, ProcessCpu.ListeningOn(new Uri(baseline))));
        }

        // Every column gets the same load before it is measured: the JIT and connection pools of the .NET proxies,
        // nginx's keepalive pool, and the pods themselves (the direct column) warm up alike. --warmup 0 measures
        // the first round cold (what the JIT costs in a proxy's first seconds of load).
        foreach (var column in options.WarmupSeconds > 0 ? columns : [])
        {
            await Wrk.RunAsync("warmup", column.Url, target.Host, options, options.WarmupSeconds, column.Script, column.Proxy);
        }

        // Rounds interleave the columns and rotate their order, so neither a burst of other work on the machine nor
        // a position in the round (after a proxy that left the pods' kubelets busy) favours one column.
        var results = columns.Select(_ => new List<WrkResult>()).ToArray();
        for (var round = 0; round < options.Rounds; round++)
        {
            for (var k = 0; k < columns.Count; k++)
            {
                var i = (round + k) % columns.Count;
                var result = await Wrk.RunAsync(columns[i].Name, columns[i].Url, target.Host, options, options.DurationSeconds, columns[i].Script, columns[i].Proxy);
                var cpu = result.ProxyCpuPerRequest is { } us ? $", proxy CPU {us,5:F1} us/request ({result.ProxyUserPerRequest,4:F1} user)" : "";
                Console.WriteLine($"round {round + 1}: {result.Name,-18} {result.RequestsPerSecond,10:F0} requests/s, p99 {result.P99Milliseconds,7:F2} ms{cpu}, load average {result.LoadBefore}");
                results[i].Add(result);
            }
        }

        Report.Print([.. results.Select(Report.Median)]);
    }
}
finally
{
    scripts.Delete(recursive: true);
}
