using System.Net;

namespace KubeMesh.Dns.Records;

/// <summary>
/// Everything one cluster name answers with. A name with no records at all is an empty non-terminal
/// (e.g. "default.svc.cluster.local"): it exists, so it gets NODATA rather than NXDOMAIN (RFC 8020).
/// </summary>
public sealed class DnsNameEntry
{
    public List<IPAddress> Addresses { get; } = [];

    public List<SrvTarget> Services { get; } = [];

    public string? CanonicalName { get; set; }
}
