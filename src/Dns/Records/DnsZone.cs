using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Net;

namespace KubeMesh.Dns.Records;

/// <summary>
/// An immutable snapshot of the cluster's names, swapped whole when Services, Endpoints or Ingresses change, so
/// queries read it without locks. Names are lower case without the trailing dot.
/// </summary>
public sealed class DnsZone(
    string domain,
    FrozenDictionary<string, DnsNameEntry> names,
    FrozenDictionary<string, string[]> pointers,
    IngressHosts? ingressHosts = null)
{
    public static DnsZone Empty(string domain) =>
        new(domain, new Dictionary<string, DnsNameEntry> { [domain] = new() }.ToFrozenDictionary(), FrozenDictionary<string, string[]>.Empty);

    public string Domain => domain;

    public int Count => names.Count;

    /// <summary>The hosts of Ingresses with an address, outside the cluster domain.</summary>
    public IngressHosts IngressHosts { get; } = ingressHosts ?? IngressHosts.Empty;

    /// <summary>
    /// Encoded answers of this zone by question, filled by the UDP path; a new zone starts with an
    /// empty cache, so nothing stale outlives a change.
    /// </summary>
    public ConcurrentDictionary<string, byte[]> ResponseCache { get; } = new(StringComparer.Ordinal);

    public DnsNameEntry? Find(string name) => names.GetValueOrDefault(name);

    /// <summary>This zone with the Ingress hosts built from the same caches.</summary>
    public DnsZone WithIngressHosts(IngressHosts hosts) => new(domain, names, pointers, hosts);

    /// <summary>Names for a pod or service address (PTR), or null when the address is not the cluster's.</summary>
    public string[]? PointersFor(IPAddress address) => pointers.GetValueOrDefault(address.ToString());
}
