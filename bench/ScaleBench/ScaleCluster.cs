using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;
using StackExchange.Redis;

namespace KubeMesh.Bench.Scale;

/// <summary>
/// A whole control plane on this machine, each component in its own process from its build output, configured as the
/// AppHost configures it: redis-server (the store), api-server, scheduler, controller-manager, and one process of
/// hollow nodes, started last so the control plane's memory can be read before and after the nodes arrive.
/// </summary>
public sealed class ScaleCluster : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(180);
    private readonly List<ComponentProcess> _components = [];
    private readonly string _stateDirectory = Directory.CreateTempSubdirectory("kubemesh-scale-").FullName;
    private string _apiServer = "";

    public KubeMeshClient Client { get; private set; } = null!;

    public IConnectionMultiplexer Store { get; private set; } = null!;

    public Uri Metrics { get; private set; } = null!;

    public IReadOnlyList<ComponentProcess> Components => _components;

    public static async Task<ScaleCluster> StartControlPlaneAsync()
    {
        var cluster = new ScaleCluster();
        try
        {
            await cluster.StartAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the hollow-node process and waits until every node is Ready.</summary>
    public async Task StartHollowNodesAsync(int nodes)
    {
        var health = FreePort();
        Start("hollow-nodes", "KubeMeshKubeletAssembly",
            $"--Kubelet:Hollow:Nodes={nodes}",
            $"--Kubelet:Hollow:HealthPort={health}",
            $"--Kubelet:StateDirectory={Path.Combine(_stateDirectory, "hollow-nodes")}");
        var deadline = DateTime.UtcNow + ReadyTimeout + TimeSpan.FromSeconds(nodes / 50.0);
        while (await ReadyNodesAsync() < nodes)
        {
            Check(deadline, $"{nodes} hollow nodes Ready");
            await Task.Delay(500);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (Store is not null)
        {
            await Store.DisposeAsync();
        }

        foreach (var component in Enumerable.Reverse(_components))
        {
            component.Dispose();
        }

        Directory.Delete(_stateDirectory, recursive: true);
    }

    private async Task StartAsync()
    {
        var storePort = FreePort();
        _components.Add(ComponentProcess.Start("store", "/usr/bin/redis-server",
            ["--port", storePort.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _stateDirectory]));
        await WaitForListenerAsync(storePort);
        Store = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{storePort},allowAdmin=true");

        var (grpc, http) = (FreePort(), FreePort());
        _apiServer = $"http://127.0.0.1:{grpc}";
        Start("api-server", "KubeMeshApiServerAssembly",
            $"--ConnectionStrings:store=127.0.0.1:{storePort}",
            $"--Kestrel:Endpoints:Grpc:Url={_apiServer}",
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{http}",
            $"--Kestrel:Endpoints:Rest:Url=http://127.0.0.1:{FreePort()}");
        Metrics = new Uri($"http://127.0.0.1:{http}/metrics");
        await WaitForListenerAsync(grpc);
        Client = KubeMeshClient.Create(_apiServer);

        // One scheduler and one controller-manager, so no leader election (--leader-elect=false): on a starved machine a
        // renewal that misses its deadline would end the only replica, and the run with it.
        var scheduler = FreePort();
        Start("scheduler", "KubeMeshSchedulerAssembly", $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{scheduler}", "--LeaderElection:LeaderElect=false");
        var controllerManager = FreePort();
        Start("controller-manager", "KubeMeshControllerManagerAssembly", $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{controllerManager}", "--LeaderElection:LeaderElect=false");
        using var http1 = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + ReadyTimeout;
        foreach (var port in new[] { scheduler, controllerManager })
        {
            while (!await ReadyAsync(http1, new Uri($"http://127.0.0.1:{port}/readyz")))
            {
                Check(deadline, "the scheduler and controller-manager ready");
                await Task.Delay(250);
            }
        }
    }

    private void Start(string name, string assemblyKey, params string[] args) =>
        _components.Add(ComponentProcess.Start(name, "dotnet",
        [
            Assembly(assemblyKey),
            $"--{KubeMeshClient.AddressConfigurationKey}={_apiServer}",
            "--Logging:LogLevel:Default=Warning",
            .. args,
        ]));

    private void Check(DateTime deadline, string what)
    {
        if (_components.FirstOrDefault(c => c.HasExited) is { } exited)
        {
            throw new InvalidOperationException($"{exited.Name} exited while waiting for {what}:\n{exited.Output}");
        }

        if (DateTime.UtcNow > deadline)
        {
            throw new TimeoutException($"no {what} in time:\n{string.Join('\n', _components.Select(c => c.Output))}");
        }
    }

    private async Task<int> ReadyNodesAsync()
    {
        try
        {
            var nodes = await Client.For<Node>().ListAsync(new ListRequest());
            return nodes.Items.Count(n => n.Status?.Conditions.Any(c => c is { Type: "Ready", Status: "True" }) == true);
        }
        catch (Grpc.Core.RpcException)
        {
            return 0;
        }
    }

    private static async Task<bool> ReadyAsync(HttpClient http, Uri health)
    {
        try
        {
            return (await http.GetAsync(health)).IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private async Task WaitForListenerAsync(int port)
    {
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                Check(deadline, $"a listener on port {port}");
                await Task.Delay(100);
            }
        }
    }

    private static string Assembly(string key) =>
        typeof(ScaleCluster).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
