using KubeMesh.Bench.IngressLoadTest;

// Drives the same load with wrk through the ingress, straight at one pod, and through Debian's nginx configured as
// the equivalent reverse proxy, in one run, and prints requests/s, p99 latency and the ratios.
var options = BenchOptions.Parse(args);
Console.WriteLine($"Ingress load test: {options.Backends} echo pods, {options.Connections} connections, {options.Threads} wrk threads, {options.DurationSeconds}s per target ({(options.Server is null ? "in-process cluster" : "cluster at " + options.Server)})");

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
    await using var nginx = await NginxProxy.StartAsync(target.Pods);
    var nginxUrl = $"http://127.0.0.1:{nginx.Port}/";
    var directUrl = $"http://{target.Pods[0]}/";

    // Warm up the JIT, connection pools and nginx's keepalive pool before measuring.
    await Wrk.RunAsync("warmup", target.IngressUrl, target.Host, options, options.WarmupSeconds);
    await Wrk.RunAsync("warmup", nginxUrl, target.Host, options, options.WarmupSeconds);

    var direct = await Wrk.RunAsync("direct (one pod)", directUrl, target.Host, options, options.DurationSeconds);
    var ingress = await Wrk.RunAsync("ingress (YARP)", target.IngressUrl, target.Host, options, options.DurationSeconds);
    var baseline = await Wrk.RunAsync("nginx", nginxUrl, target.Host, options, options.DurationSeconds);
    Report.Print([direct, ingress, baseline], ingress, direct, baseline);
}
