namespace KubeMesh.Dns;

/// <summary>The cluster DNS settings (section "Dns"), as kube-dns/CoreDNS take them from their Corefile.</summary>
public sealed class DnsOptions
{
    public const string Section = "Dns";

    /// <summary>The address pods use as their nameserver (kube-dns's 10.96.0.10, moved into 127.0.0.0/8).</summary>
    public string Address { get; set; } = "127.0.0.10";

    public int Port { get; set; } = 53;

    public string ClusterDomain { get; set; } = "cluster.local";

    /// <summary>Where names outside the cluster go, "ip" or "ip:port"; empty means the host's /etc/resolv.conf nameserver.</summary>
    public string Upstream { get; set; } = "";

    /// <summary>TTL of cluster answers: short, because pods come and go (CoreDNS's kubernetes plugin uses 5 s).</summary>
    public int TtlSeconds { get; set; } = 5;

    public TimeSpan UpstreamTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
