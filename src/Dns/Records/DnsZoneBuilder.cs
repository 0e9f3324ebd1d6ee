using System.Collections.Frozen;
using System.Net;
using KubeMesh.Api.Core.V1;

namespace KubeMesh.Dns.Records;

/// <summary>
/// Turns Services and Endpoints into DNS names the way Kubernetes' DNS specification says
/// (github.com/kubernetes/dns/blob/master/docs/specification.md): A for a cluster IP or, for a headless
/// Service, its ready endpoints; A for each endpoint hostname; SRV for named ports; CNAME for
/// ExternalName; PTR back from each address.
/// </summary>
public static class DnsZoneBuilder
{
    public static DnsZone Build(string domain, IEnumerable<Service> services, Func<string, string, Endpoints?> endpointsOf)
    {
        var names = new Dictionary<string, DnsNameEntry>(StringComparer.Ordinal) { [domain] = new() };
        var pointers = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            var ns = service.Metadata.Namespace;
            var svc = $"{service.Metadata.Name}.{ns}.svc.{domain}".ToLowerInvariant();
            var spec = service.Spec ?? new ServiceSpec();
            if (spec.Type == "ExternalName")
            {
                Entry(names, svc, domain).CanonicalName = spec.ExternalName.TrimEnd('.').ToLowerInvariant();
                continue;
            }

            if (spec.ClusterIp == "None")
            {
                AddHeadless(names, pointers, svc, domain, spec, endpointsOf(ns, service.Metadata.Name));
            }
            else if (IPAddress.TryParse(spec.ClusterIp, out var clusterIp))
            {
                Entry(names, svc, domain).Addresses.Add(clusterIp);
                Pointer(pointers, clusterIp, svc);
                foreach (var port in spec.Ports.Where(p => p.Name.Length > 0))
                {
                    Entry(names, SrvName(port.Name, port.Protocol, svc), domain).Services.Add(new SrvTarget((ushort)port.Port, svc));
                }
            }
        }

        return new DnsZone(domain, names.ToFrozenDictionary(StringComparer.Ordinal),
            pointers.ToFrozenDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal));
    }

    private static void AddHeadless(Dictionary<string, DnsNameEntry> names, Dictionary<string, List<string>> pointers,
        string svc, string domain, ServiceSpec spec, Endpoints? endpoints)
    {
        var service = Entry(names, svc, domain);
        foreach (var subset in endpoints?.Subsets ?? [])
        {
            var addresses = spec.PublishNotReadyAddresses ? subset.Addresses.Concat(subset.NotReadyAddresses) : subset.Addresses;
            foreach (var address in addresses)
            {
                if (!IPAddress.TryParse(address.Ip, out var ip))
                {
                    continue;
                }

                if (!service.Addresses.Contains(ip))
                {
                    service.Addresses.Add(ip);
                }

                // A pod without a hostname is still reachable by its dashed address, as CoreDNS serves it.
                var host = $"{(address.Hostname.Length > 0 ? address.Hostname : address.Ip.Replace('.', '-'))}.{svc}".ToLowerInvariant();
                var hostEntry = Entry(names, host, domain);
                if (!hostEntry.Addresses.Contains(ip))
                {
                    hostEntry.Addresses.Add(ip);
                }

                Pointer(pointers, ip, host);
                foreach (var port in subset.Ports.Where(p => p.Name.Length > 0))
                {
                    Entry(names, SrvName(port.Name, port.Protocol, svc), domain).Services.Add(new SrvTarget((ushort)port.Port, host));
                }
            }
        }
    }

    private static string SrvName(string port, string protocol, string svc) =>
        $"_{port}._{(protocol.Length == 0 ? "tcp" : protocol)}.{svc}".ToLowerInvariant();

    /// <summary>The name's entry, creating it and every ancestor up to the domain as empty non-terminals.</summary>
    private static DnsNameEntry Entry(Dictionary<string, DnsNameEntry> names, string name, string domain)
    {
        if (!names.TryGetValue(name, out var entry))
        {
            entry = new DnsNameEntry();
            names[name] = entry;
            for (var parent = Parent(name); parent.Length > domain.Length && !names.ContainsKey(parent); parent = Parent(parent))
            {
                names[parent] = new DnsNameEntry();
            }
        }

        return entry;
    }

    private static string Parent(string name)
    {
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? "" : name[(dot + 1)..];
    }

    private static void Pointer(Dictionary<string, List<string>> pointers, IPAddress ip, string name)
    {
        var key = ip.ToString();
        if (!pointers.TryGetValue(key, out var list))
        {
            pointers[key] = list = [];
        }

        if (!list.Contains(name))
        {
            list.Add(name);
        }
    }
}
