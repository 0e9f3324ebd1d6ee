using System.Globalization;
using System.Net;
using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.DnsBench;
using KubeMesh.Testing;

// Cluster DNS against dnsmasq serving the same names from a hosts file, measured by dnsperf in one run.
// Both servers are pinned to the same single CPU (taskset -c 1); dnsperf runs on CPU 0.
var services = ArgValue("--services", 1000);
var seconds = ArgValue("--seconds", 10);
var repo = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));
var dnsDll = args.Contains("--dns-dll") ? Path.GetFullPath(args[Array.IndexOf(args, "--dns-dll") + 1]) : Path.Combine(repo, "src/Dns/bin/Release/net10.0/Dns.dll");
if (!File.Exists(dnsDll))
{
    Console.Error.WriteLine($"Build the DNS first: dotnet build -c Release src/Dns ({dnsDll} is missing)");
    return 2;
}

var work = Directory.CreateTempSubdirectory("dnsbench-").FullName;
await using var redis = new RedisServer();
await redis.StartAsync();
await using var api = await ApiServerHost.StartAsync(redis.ConnectionString);
Console.WriteLine($"Creating {services} Services...");
var names = new List<(string Name, string Ip)>();
var client = api.Client.For<Service>();
foreach (var chunk in Enumerable.Range(0, services).Chunk(50))
{
    var created = await Task.WhenAll(chunk.Select(i => client.CreateAsync(new Service
    {
        Metadata = new ObjectMeta { Name = $"svc-{i}", Namespace = "default" },
        Spec = new ServiceSpec { Ports = { new ServicePort { Port = 80, TargetPort = Value.ForNumber(80) } } },
    })));
    names.AddRange(created.Select(s => ($"{s.Metadata.Name}.default.svc.cluster.local", s.Spec.ClusterIp)));
}

var hosts = Path.Combine(work, "hosts");
await File.WriteAllLinesAsync(hosts, names.Select(n => $"{n.Ip} {n.Name}"));
var queries = Path.Combine(work, "queries");
await File.WriteAllLinesAsync(queries, names.Select(n => $"{n.Name} A"));

var address = IPAddress.Parse("127.0.0.1");
var dnsPort = FreePort.Get(address);
using var dns = ChildProcess.Start("taskset", "-c", "1", "dotnet", dnsDll,
    $"--Server={api.Address}", "--Dns:Address=127.0.0.1", $"--Dns:Port={dnsPort}", "--Dns:Upstream=127.0.0.1:9",
    "--Urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning");
var dnsmasqPort = FreePort.Get(address);
using var dnsmasq = ChildProcess.Start("taskset", "-c", "1", "/usr/sbin/dnsmasq", "--no-resolv", "--no-hosts", "--keep-in-foreground",
    "--bind-interfaces", "--listen-address=127.0.0.1", $"--port={dnsmasqPort}", $"--addn-hosts={hosts}", "--pid-file", "--user=root",
    "--cache-size=10000", "--local-ttl=5");
await WaitForAnswerAsync(dnsPort, names[^1].Name, names[^1].Ip);
await WaitForAnswerAsync(dnsmasqPort, names[^1].Name, names[^1].Ip);

var warmup = TimeSpan.FromSeconds(2);
await RunDnsperfAsync(dnsPort, dns.Id, (int)warmup.TotalSeconds);
var cluster = await RunDnsperfAsync(dnsPort, dns.Id, seconds);
var baseline = await RunDnsperfAsync(dnsmasqPort, dnsmasq.Id, seconds);

Console.WriteLine();
Console.WriteLine($"{services} services, {seconds} s per server, both servers pinned to CPU 1, dnsperf on CPU 0");
Console.WriteLine($"{"server",-14}{"queries/s",12}{"avg latency",14}{"lost",8}{"server CPU",12}{"queries/CPU-s",15}");
Print("cluster DNS", cluster);
Print("dnsmasq", baseline);
Console.WriteLine($"ratio (cluster DNS / dnsmasq): {cluster.QueriesPerSecond / baseline.QueriesPerSecond:F2}x queries/s, " +
    $"{cluster.AverageLatencyMs / baseline.AverageLatencyMs:F2}x latency, {cluster.QueriesPerCpuSecond / baseline.QueriesPerCpuSecond:F2}x queries per CPU-second");
Directory.Delete(work, recursive: true);
return 0;

async Task<DnsperfResult> RunDnsperfAsync(int port, int serverPid, int duration)
{
    var cpuBefore = ProcessCpu.Used(serverPid);
    var (exit, output) = await ChildProcess.RunAsync(TimeSpan.FromSeconds(duration + 30), "taskset", "-c", "0", "dnsperf",
        "-s", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-d", queries, "-l", duration.ToString(CultureInfo.InvariantCulture),
        "-c", "4", "-q", "200", "-t", "2");
    var cpu = ProcessCpu.Used(serverPid) - cpuBefore;
    return exit == 0 ? DnsperfResult.Parse(output) with { ServerCpu = cpu } : throw new InvalidOperationException("dnsperf failed:\n" + output);
}

async Task WaitForAnswerAsync(int port, string name, string ip)
{
    var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
    while (true)
    {
        var (_, output) = await ChildProcess.RunAsync(TimeSpan.FromSeconds(10), "dig", "@127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture),
            "+short", "+time=1", "+tries=1", name, "A");
        if (output.Trim() == ip)
        {
            return;
        }

        if (DateTime.UtcNow > deadline)
        {
            throw new TimeoutException($"port {port} does not answer {name} with {ip}: {output}\nDNS output: {dns.Output}");
        }

        await Task.Delay(200);
    }
}

static void Print(string name, DnsperfResult result) =>
    Console.WriteLine($"{name,-14}{result.QueriesPerSecond,12:F0}{result.AverageLatencyMs,11:F3} ms{result.LostPercent,7:F2}%" +
        $"{result.ServerCpu.TotalSeconds,10:F2} s{result.QueriesPerCpuSecond,15:F0}");

int ArgValue(string flag, int fallback)
{
    var i = Array.IndexOf(args, flag);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
