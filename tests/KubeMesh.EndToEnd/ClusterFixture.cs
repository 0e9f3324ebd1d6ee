using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using KubeMesh.Client;

namespace KubeMesh.EndToEnd;

/// <summary>
/// The whole cluster as `dotnet run --project AppHost` starts it, on the embedded store (the default of
/// a machine with only the .NET SDK), on free ports and a temporary data directory.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    // Generous: on a machine shared with other builds, `dotnet run` of each component alone can take minutes.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(8);

    /// <summary>How long a test waits for the cluster to reach a state (pods pulled up, controllers caught up) on a busy machine.</summary>
    public static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(90);
    private DistributedApplication? _app;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "kubemesh-e2e-" + Guid.NewGuid().ToString("N")[..8]);

    public int ApiServerPort { get; } = FreePort.Get();

    public int StorePort { get; } = FreePort.Get();

    public string ApiServer => $"http://127.0.0.1:{ApiServerPort}";

    /// <summary>The api-server's Kubernetes REST API, for kubectl.</summary>
    public int ApiServerRestPort { get; } = FreePort.Get();

    /// <summary>The kubeconfig the AppHost writes into the data directory at start.</summary>
    public string Kubeconfig => Path.Combine(DataDirectory, "kubeconfig");

    public int IngressHttpPort { get; } = FreePort.Get();

    public int IngressHttpsPort { get; } = FreePort.Get();

    /// <summary>The ingress controller's /healthz, /readyz and /configuration/backends.</summary>
    public int IngressHealthPort { get; } = FreePort.Get();

    /// <summary>
    /// The cluster's own corner of 127.0.0.0/8, drawn at random so that two clusters on one machine (two test
    /// runs) never meet: pod ranges 127.P.n.0/24, service IPs 127.S.0.0/16, load balancers 127.L.0.0/24, and
    /// a DNS address on port 53 (pods' resolv.conf cannot name a port).
    /// </summary>
    public int PodOctet { get; } = Random.Shared.Next(11, 90);

    public int ServiceOctet { get; } = Random.Shared.Next(100, 200);

    public int LoadBalancerOctet { get; } = Random.Shared.Next(200, 240);

    public string DnsAddress { get; } = $"127.0.{Random.Shared.Next(1, 250)}.{Random.Shared.Next(11, 250)}";

    /// <summary>Node n's address, where its kubelet listens and node ports are served.</summary>
    public string NodeAddress(int node) => $"127.{PodOctet}.{node}.1";

    public KubeMeshClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [
                "--Cluster:StoreMode=embedded",
                $"--Cluster:StorePort={StorePort}",
                $"--Cluster:ApiServerPort={ApiServerPort}",
                $"--Cluster:ApiServerRestPort={ApiServerRestPort}",
                $"--Cluster:DataDirectory={DataDirectory}",
                $"--Cluster:IngressHttpPort={IngressHttpPort}",
                $"--Cluster:IngressHttpsPort={IngressHttpsPort}",
                $"--Cluster:IngressHealthPort={IngressHealthPort}",
                $"--Cluster:SchedulerHealthPort={FreePort.Get()}",
                $"--Cluster:ControllerManagerHealthPort={FreePort.Get()}",
                $"--Cluster:ProxyHealthPort={FreePort.Get()}",
                $"--Cluster:DnsHealthPort={FreePort.Get()}",
                $"--Cluster:KubeletPort={FreePort.Get()}",
                // Restart back-off of 1 s (kubelet: 10 s) so that tests of restarting containers see several restarts quickly.
                "--Cluster:KubeletBackOffInitial=00:00:01",
                $"--Cluster:PodNetwork=127.{PodOctet}.0.0/16",
                $"--Cluster:ServiceClusterIpRange=127.{ServiceOctet}.0.0/16",
                $"--Cluster:LoadBalancerPool=127.{LoadBalancerOctet}.{Random.Shared.Next(0, 256)}.0/24",
                $"--Cluster:DnsAddress={DnsAddress}",
                // A silent node is noticed in seconds, not minutes; renewals every 2 s keep a loaded machine's
                // nodes five heartbeats inside the grace period, so no test sees a node flap.
                "--Cluster:NodeLeaseRenewInterval=00:00:02",
                "--Cluster:NodeMonitorGracePeriod=00:00:10",
                "--Cluster:NodeMonitorPeriod=00:00:01",
                "--Cluster:PodEvictionTimeout=00:00:02",
            ],
            cts.Token);
        _app = await builder.BuildAsync(cts.Token);
        await _app.StartAsync(cts.Token);
        await _app.ResourceNotifications.WaitForResourceAsync("api-server", KnownResourceStates.Running, cts.Token);
        Client = KubeMeshClient.Create(ApiServer);
        await WaitForApiServerAsync(cts.Token);
    }

    /// <summary>
    /// Stops node n's kubelet process (its Aspire resource), as a machine that drops off the network. DCP may report
    /// the stop as failed when the process takes longer to end than it waits (a loaded machine), and leave the
    /// resource's state behind though the process is gone: callers watch the Node's heartbeats, not the resource.
    /// </summary>
    public Task StopNodeAsync(int node, CancellationToken cancellationToken) =>
        _app!.ResourceCommands.ExecuteCommandAsync("kubelet-node" + node, KnownResourceCommands.StopCommand, cancellationToken);

    /// <summary>Starts node n's kubelet again (restarting the resource where DCP still counts it running); it re-registers and adopts or cleans up its pods.</summary>
    public async Task StartNodeAsync(int node, CancellationToken cancellationToken)
    {
        var resource = "kubelet-node" + node;
        var result = await _app!.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, cancellationToken);
        if (!result.Success)
        {
            result = await _app.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.RestartCommand, cancellationToken);
        }

        if (!result.Success)
        {
            throw new InvalidOperationException($"start {resource}: {result.Message}");
        }
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_app is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _app.StopAsync(cts.Token);
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task WaitForApiServerAsync(CancellationToken ct)
    {
        Exception? last = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var list = await Client.For<KubeMesh.Api.Core.V1.Namespace>().ListAsync(new KubeMesh.Api.Meta.V1.ListRequest(), ct);
                if (list.Items.Any(n => n.Metadata.Name == "default"))
                {
                    return;
                }
            }
            catch (Grpc.Core.RpcException ex) when (!ct.IsCancellationRequested)
            {
                last = ex;
            }
            catch (Exception ex) when (ct.IsCancellationRequested && ex is OperationCanceledException or Grpc.Core.RpcException)
            {
                break;
            }

            await Task.Delay(250, CancellationToken.None);
        }

        throw new TimeoutException($"the api-server at {ApiServer} did not list the namespace default within {StartTimeout}; last error: {last?.Message ?? "none"}");
    }
}
