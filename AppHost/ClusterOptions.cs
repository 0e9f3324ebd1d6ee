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

    public int ApiServerPort { get; set; } = 6443;

    /// <summary>The scheduler's /healthz and /readyz (HTTP/1), on kube-scheduler's port.</summary>
    public int SchedulerHealthPort { get; set; } = 10259;
    /// <summary>How many node agents (kubelets) run: node-1 .. node-N.</summary>
    public int NodeCount { get; set; } = 3;

    /// <summary>Every kubelet listens on its own node address (127.10.n.1) at this port, like kubelet's 10250.</summary>
    public int KubeletPort { get; set; } = 10250;
    /// <summary>The ingress controller's ports on 127.0.0.1; below 1024 they need root or a lowered net.ipv4.ip_unprivileged_port_start.</summary>
    public int IngressHttpPort { get; set; } = 80;

    public int IngressHttpsPort { get; set; } = 443;

    public int IngressHealthPort { get; set; } = 10254;
    /// <summary>The cluster DNS address pods use as nameserver (kube-dns's 10.96.0.10 inside 127.0.0.0/8).</summary>
    public string DnsAddress { get; set; } = "127.0.0.10";

    public int DnsPort { get; set; } = 53;

    /// <summary>Where the store and node agents keep their state, relative to the repository root.</summary>
    public string DataDirectory { get; set; } = ".kubemesh";

    public static ClusterOptions From(IConfiguration section)
    {
        var defaults = new ClusterOptions();
        return new ClusterOptions
        {
            StoreMode = section[nameof(StoreMode)] ?? defaults.StoreMode,
            StorePort = int.TryParse(section[nameof(StorePort)], out var storePort) ? storePort : defaults.StorePort,
            StoreConnectionString = section[nameof(StoreConnectionString)],
            ApiServerPort = int.TryParse(section[nameof(ApiServerPort)], out var apiPort) ? apiPort : defaults.ApiServerPort,
            SchedulerHealthPort = int.TryParse(section[nameof(SchedulerHealthPort)], out var schedulerPort) ? schedulerPort : defaults.SchedulerHealthPort,
            NodeCount = int.TryParse(section[nameof(NodeCount)], out var nodeCount) ? nodeCount : defaults.NodeCount,
            KubeletPort = int.TryParse(section[nameof(KubeletPort)], out var kubeletPort) ? kubeletPort : defaults.KubeletPort,
            DataDirectory = section[nameof(DataDirectory)] ?? defaults.DataDirectory,
            IngressHttpPort = int.TryParse(section[nameof(IngressHttpPort)], out var http) ? http : defaults.IngressHttpPort,
            IngressHttpsPort = int.TryParse(section[nameof(IngressHttpsPort)], out var https) ? https : defaults.IngressHttpsPort,
            IngressHealthPort = int.TryParse(section[nameof(IngressHealthPort)], out var health) ? health : defaults.IngressHealthPort,
            DnsAddress = section[nameof(DnsAddress)] ?? defaults.DnsAddress,
            DnsPort = int.TryParse(section[nameof(DnsPort)], out var dnsPort) ? dnsPort : defaults.DnsPort,
        };
    }
}
