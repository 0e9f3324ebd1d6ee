using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using KubeMesh.Client;
using KubeMesh.EndToEnd.Otlp;

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

    /// <summary>The first api-server replica's port; the second listens on the next one.</summary>
    public int ApiServerPort { get; } = FreePort.Consecutive(2);

    public int StorePort { get; } = FreePort.Get();

    /// <summary>Both api-server replicas, as every component and kmctl are given them (TLS: the cluster runs with Cluster:Tls, its default).</summary>
    public string ApiServer => $"https://127.0.0.1:{ApiServerPort},https://127.0.0.1:{ApiServerPort + 1}";

    /// <summary>The api-server's Kubernetes REST API, for kubectl.</summary>
    public int ApiServerRestPort { get; } = FreePort.Consecutive(2);

    /// <summary>The kubeconfig the AppHost writes into the data directory at start: the admin (kubernetes-admin in system:masters) and the cluster CA.</summary>
    public string Kubeconfig => Path.Combine(DataDirectory, "kubeconfig");

    /// <summary>The cluster CA, the admin's client certificate and key, where the AppHost issues them (for buf curl, grpcurl, curl).</summary>
    public string CaFile => Path.Combine(DataDirectory, "pki", "ca.crt");

    public string AdminCertFile => Path.Combine(DataDirectory, "pki", "admin.crt");

    public string AdminKeyFile => Path.Combine(DataDirectory, "pki", "admin.key");

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

    /// <summary>pebble, the cluster's ACME server (Cluster:Pebble=true): its directory and management ports.</summary>
    public int PebblePort { get; } = FreePort.Get();

    public int PebbleManagementPort { get; } = FreePort.Get();

    /// <summary>The certificate controller's health port, which also tells its process apart from other clusters'.</summary>
    public int CertificateControllerHealthPort { get; } = FreePort.Get();

    /// <summary>Whether pebble is installed, and so started with the cluster.</summary>
    public static bool HasPebble { get; } = Tool.Find("pebble") is not null;

    /// <summary>The CA of pebble's HTTPS listener, for an ACME issuer's caBundle.</summary>
    public string PebbleListenerCa => Path.Combine(DataDirectory, "pebble", "ca.pem");

    /// <summary>Node n's address, where its kubelet listens and node ports are served.</summary>
    public string NodeAddress(int node) => $"127.{PodOctet}.{node}.1";

    public KubeMeshClient Client { get; private set; } = null!;

    /// <summary>
    /// Where every component exports its traces and metrics (OTLP/HTTP), in place of the dashboard's collector,
    /// which a test run does not start.
    /// </summary>
    public OtlpReceiver Telemetry { get; } = new();

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        await Telemetry.StartAsync();
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
                $"--Cluster:SchedulerHealthPort={FreePort.Consecutive(2)}",
                $"--Cluster:ControllerManagerHealthPort={FreePort.Consecutive(2)}",
                $"--Cluster:ProxyHealthPort={FreePort.Get()}",
                $"--Cluster:DnsHealthPort={FreePort.Get()}",
                $"--Cluster:CertificateControllerHealthPort={CertificateControllerHealthPort}",
                // pebble only where installed (tests/run installs it); the tests that need it skip otherwise.
                "--Cluster:Pebble=" + (HasPebble ? "true" : "false"),
                $"--Cluster:PebblePort={PebblePort}",
                $"--Cluster:PebbleManagementPort={PebbleManagementPort}",
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
        ExportTelemetryTo(builder, Telemetry);
        _app = await builder.BuildAsync(cts.Token);
        await _app.StartAsync(cts.Token);
        await _app.ResourceNotifications.WaitForResourceAsync("api-server-1", KnownResourceStates.Running, cts.Token);
        // The admin's credentials, as kmctl and kubectl find them: the kubeconfig, written before any resource starts.
        Client = AdminClient();
        await WaitForApiServerAsync(cts.Token);

        // Where the AppHost names its dashboard for kmctl --trace, name the receiver, which stands in for it.
        await File.WriteAllTextAsync(
            Path.Combine(DataDirectory, AppHost.DashboardTelemetryExtensions.FileName),
            $"OTEL_EXPORTER_OTLP_ENDPOINT={Telemetry.Endpoint}\nOTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf\n",
            cts.Token);
    }

    /// <summary>
    /// Points every component's OpenTelemetry exporter at the receiver, after what Aspire sets (callbacks run in
    /// order), with the short export intervals Aspire gives a development run so that a test waits seconds, not a
    /// minute, for a metric.
    /// </summary>
    private static void ExportTelemetryTo(IDistributedApplicationTestingBuilder builder, OtlpReceiver receiver)
    {
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            project.Annotations.Add(new EnvironmentCallbackAnnotation((EnvironmentCallbackContext context) =>
            {
                var environment = context.EnvironmentVariables;
                environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint;
                environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
                environment["OTEL_BSP_SCHEDULE_DELAY"] = "500";
                environment["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
                environment.TryAdd("OTEL_SERVICE_NAME", project.Name);
            }));
        }
    }

    /// <summary>
    /// Stops node n's kubelet process (its Aspire resource), as a machine that drops off the network. DCP may report
    /// the stop as failed when the process takes longer to end than it waits (a loaded machine), and leave the
    /// resource's state behind though the process is gone: callers watch the Node's heartbeats, not the resource.
    /// </summary>
    public Task StopNodeAsync(int node, CancellationToken cancellationToken) =>
        _app!.ResourceCommands.ExecuteCommandAsync("kubelet-node" + node, KnownResourceCommands.StopCommand, cancellationToken);

    /// <summary>Starts node n's kubelet again (restarting the resource where DCP still counts it running); it re-registers and adopts or cleans up its pods.</summary>
    public Task StartNodeAsync(int node, CancellationToken cancellationToken) => StartResourceAsync("kubelet-node" + node, cancellationToken);

    /// <summary>
    /// kill -9 of the certificate controller's own process (not the `dotnet run` above it), as a crash: no shutdown
    /// runs. Found by its executable and the health address only this cluster's instance is given.
    /// </summary>
    public void KillCertificateController()
    {
        var marker = "Kestrel__Endpoints__Http__Url=http://127.0.0.1:" + CertificateControllerHealthPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var pids = Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && IsProcess(pid, "CertificateController", marker))
            .ToList();
        if (pids.Count != 1)
        {
            throw new InvalidOperationException($"expected one certificate controller process of this cluster, found {pids.Count}");
        }

        using var process = System.Diagnostics.Process.GetProcessById(pids[0]);
        process.Kill(); // SIGKILL
    }

    /// <summary>Starts an Aspire resource again (restarting it where DCP still counts it running).</summary>
    public async Task StartResourceAsync(string resource, CancellationToken cancellationToken)
    {
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

    private static bool IsProcess(int pid, string executable, string environmentEntry)
    {
        try
        {
            var argv0 = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0')[0];
            return Path.GetFileName(argv0) == executable
                && File.ReadAllText($"/proc/{pid}/environ").Split('\0').Contains(environmentEntry, StringComparer.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // gone meanwhile, or another user's
        }
    }

    /// <summary>A client with the admin's credentials from the kubeconfig, to <paramref name="address"/> (one replica) or the kubeconfig's servers.</summary>
    public KubeMeshClient AdminClient(string? address = null)
    {
        var connection = KubeMesh.Client.Credentials.Kubeconfig.Load(Kubeconfig);
        return KubeMeshClient.Create(address is null ? connection : connection with { Address = address });
    }

    /// <summary>The running AppHost, for tests that drive or watch its resources.</summary>
    public DistributedApplication App => _app ?? throw new InvalidOperationException("the cluster has not started");

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_app is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _app.StopAsync(cts.Token);
            await _app.DisposeAsync();
        }

        await Telemetry.DisposeAsync();

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
