using Microsoft.Extensions.Configuration;

namespace KubeMesh.AppHost;

/// <summary>The knobs of the local cluster, from the AppHost's configuration section "Cluster".</summary>
public sealed class ClusterOptions
{
    /// <summary>auto (container engine, else redis-server on PATH, else embedded Garnet), container, redis-server, embedded or external.</summary>
    public string StoreMode { get; set; } = "auto";

    /// <summary>The store's port; 2379 like etcd, so it never meets a Redis already on 6379.</summary>
    public int StorePort { get; set; } = 2379;

    /// <summary>With StoreMode external: the StackExchange.Redis connection string of a store you run.</summary>
    public string? StoreConnectionString { get; set; }

    /// <summary>The first api-server replica's gRPC port; replica n listens on this port + n - 1 (6443, 6444, ...).</summary>
    public int ApiServerPort { get; set; } = 6443;

    /// <summary>How many api-server replicas run, stateless over the one store, each on its own port (kube-apiserver per control-plane node).</summary>
    public int ApiServerReplicas { get; set; } = 2;

    /// <summary>How many schedulers run; the holder of the Lease kube-system/kube-scheduler schedules, the others stand by.</summary>
    public int SchedulerReplicas { get; set; } = 2;

    /// <summary>How many controller-managers run; the holder of the Lease kube-system/kube-controller-manager acts.</summary>
    public int ControllerManagerReplicas { get; set; } = 2;

    /// <summary>Replica n's port (1-based), from <see cref="ApiServerPort"/> upwards.</summary>
    public int ApiServerPortOf(int replica) => ApiServerPort + replica - 1;

    /// <summary>
    /// Run the cluster over TLS with certificates from a cluster CA, every client authenticated and the api-servers
    /// authorizing with Node,RBAC (see ClusterTlsExtensions), as kubeadm sets a cluster up. On by default;
    /// --Cluster:Tls=false runs the open cluster: cleartext, and every request allowed.
    /// </summary>
    public bool Tls { get; set; } = true;

    private string Scheme => Tls ? "https" : "http";

    /// <summary>Every api-server replica's URL, comma-separated: what components get as ApiServer:Address and fail over between.</summary>
    public string ApiServerAddress =>
        string.Join(',', Enumerable.Range(1, ApiServerReplicas).Select(i => Scheme + "://127.0.0.1:" + ApiServerPortOf(i).ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>
    /// The first api-server replica's Kubernetes REST API (HTTP/1.1 and HTTP/2), what kubectl and the official clients
    /// speak; replica n serves it on this port + n - 1 (8443, 8444, ...).
    /// </summary>
    public int ApiServerRestPort { get; set; } = 8443;

    /// <summary>Replica n's REST port (1-based), from <see cref="ApiServerRestPort"/> upwards.</summary>
    public int ApiServerRestPortOf(int replica) => ApiServerRestPort + replica - 1;

    /// <summary>The scheduler's /healthz and /readyz (HTTP/1), on kube-scheduler's port.</summary>
    public int SchedulerHealthPort { get; set; } = 10259;
    /// <summary>How many node agents (kubelets) run: node-1 .. node-N.</summary>
    public int NodeCount { get; set; } = 3;

    /// <summary>How many hollow nodes run beside the real ones (kubemark's: real kubelet code, a runtime that starts nothing).</summary>
    public int HollowNodes { get; set; }

    /// <summary>How many hollow nodes share one process (hollow-nodes-1, -2, ...).</summary>
    public int HollowNodesPerProcess { get; set; } = 1000;

    /// <summary>Hollow node n's pod range is the n-th /24 of this network; it must meet no other range of the cluster.</summary>
    public string HollowPodNetwork { get; set; } = "127.128.0.0/9";

    /// <summary>Every kubelet listens on its own node address (127.10.n.1) at this port, like kubelet's 10250.</summary>
    public int KubeletPort { get; set; } = 10250;

    /// <summary>A failed container's first restart delay (CrashLoopBackOff), doubling up to 5 min: kubelet's fixed 10 s, shorter for tests.</summary>
    public TimeSpan KubeletBackOffInitial { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>The ingress controller's ports on 127.0.0.1; below 1024 they need root or a lowered net.ipv4.ip_unprivileged_port_start.</summary>
    public int IngressHttpPort { get; set; } = 80;

    public int IngressHttpsPort { get; set; } = 443;

    public int IngressHealthPort { get; set; } = 10254;
    /// <summary>The cluster DNS address pods use as nameserver (kube-dns's 10.96.0.10 inside 127.0.0.0/8).</summary>
    public string DnsAddress { get; set; } = "127.0.0.10";

    public int DnsPort { get; set; } = 53;

    /// <summary>Where the store and node agents keep their state, relative to the repository root.</summary>
    public string DataDirectory { get; set; } = ".kubemesh";

    /// <summary>Node n's pod range is the n-th /24 of this /16 (127.10.n.0/24), and its address the range's .1.</summary>
    public string PodNetwork { get; set; } = "127.10.0.0/16";

    /// <summary>kube-apiserver's --service-cluster-ip-range.</summary>
    public string ServiceClusterIpRange { get; set; } = "127.96.0.0/16";

    /// <summary>default/kubernetes's cluster IP: the service range's first address, where the api-server puts it.</summary>
    public System.Net.IPAddress KubernetesServiceIp
    {
        get
        {
            var network = System.Net.IPNetwork.Parse(ServiceClusterIpRange);
            var bytes = network.BaseAddress.GetAddressBytes();
            var first = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes) + 1;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, first);
            return new System.Net.IPAddress(bytes);
        }
    }

    /// <summary>Where LoadBalancer services get their external addresses from.</summary>
    public string LoadBalancerPool { get; set; } = "127.240.0.0/24";

    public int ControllerManagerHealthPort { get; set; } = 10257;

    public int ProxyHealthPort { get; set; } = 10256;

    public int DnsHealthPort { get; set; } = 10054;

    /// <summary>The certificate controller's /healthz and /readyz (cert-manager's 9403).</summary>
    public int CertificateControllerHealthPort { get; set; } = 9403;

    /// <summary>
    /// Also run Debian's pebble, the RFC 8555 test server, as the cluster's ACME server: it resolves names through the
    /// cluster DNS and validates HTTP-01 on the ingress's HTTP port.
    /// </summary>
    public bool Pebble { get; set; }

    /// <summary>pebble's ACME directory is https://127.0.0.1:PebblePort/dir.</summary>
    public int PebblePort { get; set; } = 14000;

    /// <summary>pebble's management interface (its roots at /roots/0, intermediates at /intermediates/0).</summary>
    public int PebbleManagementPort { get; set; } = 15000;

    /// <summary>How often each kubelet renews its node Lease (kubelet's 10 s; the node lifecycle grace period must be several of these).</summary>
    public TimeSpan NodeLeaseRenewInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>kube-controller-manager's --node-monitor-grace-period: a node silent this long becomes NotReady (Unknown).</summary>
    public TimeSpan NodeMonitorGracePeriod { get; set; } = TimeSpan.FromSeconds(40);

    /// <summary>--node-monitor-period: how often every node's heartbeat is looked at.</summary>
    public TimeSpan NodeMonitorPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>--pod-eviction-timeout: how long pods stay on a NotReady node before they are evicted and replaced elsewhere.</summary>
    public TimeSpan PodEvictionTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The first replica's REST URL, which the kubeconfig names (kubectl talks to one server).</summary>
    public string ApiServerRestUrl => Scheme + "://127.0.0.1:" + ApiServerRestPort.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static ClusterOptions From(IConfiguration section)
    {
        var options = section.Get<ClusterOptions>() ?? new ClusterOptions();
        options.PodCidrOf(1);
        foreach (var (name, value) in new[] { ("ApiServerReplicas", options.ApiServerReplicas), ("SchedulerReplicas", options.SchedulerReplicas), ("ControllerManagerReplicas", options.ControllerManagerReplicas) })
        {
            if (value is < 1 or > 9)
            {
                throw new InvalidOperationException($"Cluster:{name}: Invalid value: {value}: must be between 1 and 9");
            }
        }

        return options;
    }

    /// <summary>Node n's pod range: the n-th /24 of <see cref="PodNetwork"/>.</summary>
    public string PodCidrOf(int node)
    {
        var parts = PodNetwork.Split('/');
        if (parts.Length != 2 || parts[1] != "16" || !System.Net.IPAddress.TryParse(parts[0], out var network)
            || network.GetAddressBytes() is not [127, _, 0, 0])
        {
            throw new InvalidOperationException($"Cluster:PodNetwork: Invalid value: \"{PodNetwork}\": must be a /16 inside 127.0.0.0/8, such as 127.10.0.0/16");
        }

        var second = network.GetAddressBytes()[1];
        return $"127.{second}.{node}.0/24";
    }
}
