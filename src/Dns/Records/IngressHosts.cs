using System.Collections.Frozen;
using System.Net;
using KubeMesh.Api.Networking.V1;

namespace KubeMesh.Dns.Records;

/// <summary>
/// A records for the hosts of Ingresses that have an address, as external-dns publishes them: every rule and tls
/// host of an Ingress whose status.loadBalancer.ingress lists IPs answers with those IPs; "*.example.com" answers
/// names one label below it; a name several Ingresses share answers with all their addresses. This is what lets an
/// ACME server (pebble, with this DNS as its resolver) reach the ingress for HTTP-01. Built with the zone, from the
/// Ingress cache, and immutable.
/// </summary>
public sealed class IngressHosts
{
    private readonly FrozenDictionary<string, IPAddress[]> _hosts;

    private IngressHosts(FrozenDictionary<string, IPAddress[]> hosts) => _hosts = hosts;

    public static IngressHosts Empty { get; } = new(FrozenDictionary<string, IPAddress[]>.Empty);

    public int Count => _hosts.Count;

    public static IngressHosts Build(IEnumerable<Ingress> ingresses)
    {
        var hosts = new Dictionary<string, List<IPAddress>>(StringComparer.Ordinal);
        foreach (var ingress in ingresses)
        {
            var addresses = (ingress.Status?.LoadBalancer?.Ingress ?? [])
                .Select(i => IPAddress.TryParse(i.Ip, out var ip) ? ip : null).OfType<IPAddress>().ToList();
            if (addresses.Count == 0)
            {
                continue;
            }

            var spec = ingress.Spec ?? new IngressSpec();
            foreach (var host in spec.Rules.Select(r => r.Host).Concat(spec.Tls.SelectMany(t => t.Hosts)).Where(h => h.Length > 0))
            {
                var name = host.TrimEnd('.').ToLowerInvariant();
                if (!hosts.TryGetValue(name, out var published))
                {
                    hosts[name] = published = [];
                }

                published.AddRange(addresses.Where(a => !published.Contains(a)));
            }
        }

        return new IngressHosts(hosts.ToFrozenDictionary(h => h.Key, h => h.Value.ToArray(), StringComparer.Ordinal));
    }

    /// <summary>The addresses published for the name (lower case, no trailing dot), or null when no Ingress serves it.</summary>
    public IPAddress[]? Find(string name)
    {
        if (_hosts.TryGetValue(name, out var addresses))
        {
            return addresses;
        }

        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && _hosts.TryGetValue("*" + name[dot..], out addresses) ? addresses : null;
    }
}
