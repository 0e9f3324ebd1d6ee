using System.Globalization;
using System.Net;
using System.Reflection;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;
using KubeMesh.Testing;

namespace KubeMesh.Bench.PodStart;

/// <summary>
/// A real cluster on this machine: redis-server, the api-server (in this process, as the tests host it), and the
/// scheduler and kubelets each in its own process from their build output, configured on the command line.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);
    private readonly List<ChildProcess> _components = [];
    private readonly List<string> _stateDirectories = [];
    private readonly RedisServer _redis = new();
    private ApiServerHost? _api;

    public KubeMeshClient Client => _api?.Client ?? throw new InvalidOperationException("the cluster has not started");

    public static async Task<LocalCluster> StartAsync(int nodes)
    {
        var cluster = new LocalCluster();
        try
        {
            await cluster._redis.StartAsync();
            cluster._api = await ApiServerHost.StartAsync(cluster._redis.ConnectionString);
            var schedulerHealth = cluster.StartScheduler(cluster._api.Address);
            // Random node ordinals in 100..249, so the nodes' 127.10.n.0/24 pod ranges meet no AppHost cluster's.
            foreach (var index in Enumerable.Range(100, 150).OrderBy(_ => Random.Shared.Next()).Take(nodes))
            {
                cluster.StartKubelet(cluster._api.Address, index);
            }

            await cluster.WaitUntilReadyAsync(schedulerHealth, nodes);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Ending a kubelet's process tree ends its containers with it.
        foreach (var component in _components)
        {
            component.Dispose();
        }

        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await _redis.DisposeAsync();
        foreach (var directory in _stateDirectories.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private Uri StartScheduler(string apiServer)
    {
        var health = new Uri($"http://127.0.0.1:{FreePort.Get().ToString(CultureInfo.InvariantCulture)}/readyz");
        _components.Add(ChildProcess.Start("dotnet", ComponentAssembly("KubeMeshSchedulerAssembly"),
            $"--{KubeMeshClient.AddressConfigurationKey}={apiServer}",
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{health.Port.ToString(CultureInfo.InvariantCulture)}"));
        return health;
    }

    private void StartKubelet(string apiServer, int index)
    {
        var address = IPAddress.Parse($"127.10.{index.ToString(CultureInfo.InvariantCulture)}.1");
        var state = Directory.CreateTempSubdirectory("kubemesh-podstart-node-").FullName;
        _stateDirectories.Add(state);
        _components.Add(ChildProcess.Start("dotnet", ComponentAssembly("KubeMeshKubeletAssembly"),
            $"--{KubeMeshClient.AddressConfigurationKey}={apiServer}",
            $"--Kubelet:NodeName=podstart-{index.ToString(CultureInfo.InvariantCulture)}",
            $"--Kubelet:NodeIndex={index.ToString(CultureInfo.InvariantCulture)}",
            $"--Kubelet:Port={FreePort.Get(address).ToString(CultureInfo.InvariantCulture)}",
            $"--Kubelet:StateDirectory={state}"));
    }

    private async Task WaitUntilReadyAsync(Uri schedulerHealth, int nodes)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (!await SchedulerReadyAsync(http, schedulerHealth) || await ReadyNodesAsync() < nodes)
        {
            if (DateTime.UtcNow > deadline || _components.FirstOrDefault(c => c.HasExited) is { } exited)
            {
                var output = string.Join("\n---\n", _components.Select(c => c.Output));
                throw new TimeoutException($"the scheduler and {nodes} node(s) were not ready within {ReadyTimeout.TotalSeconds} s:\n{output}");
            }

            await Task.Delay(200);
        }
    }

    private static async Task<bool> SchedulerReadyAsync(HttpClient http, Uri health)
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

    private async Task<int> ReadyNodesAsync()
    {
        var nodes = await Client.For<Node>().ListAsync(new ListRequest());
        return nodes.Items.Count(n => n.Status?.Conditions.Any(c => c.Type == "Ready" && c.Status == "True") == true);
    }

    private static string ComponentAssembly(string key) =>
        typeof(LocalCluster).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
