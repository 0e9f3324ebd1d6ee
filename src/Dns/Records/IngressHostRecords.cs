using System.Collections.Frozen;
using System.Net;
using KubeMesh.Api.Networking.V1;
using KubeMesh.Client;

namespace KubeMesh.Dns.Records;

/// <summary>
/// A records for the hosts of Ingresses that have an address, as external-dns publishes them: every rule and tls
/// host of an Ingress whose status.loadBalancer.ingress lists IPs answers with those IPs; "*.example.com" answers
/// names one label below it; a name several Ingresses share answers with all their addresses. This is what lets an
/// ACME server (pebble, with this DNS as its resolver) reach the ingress for HTTP-01. Informer events only update the
/// Ingress's own entry; the host table is rebuilt on the next lookup after a change.
/// </summary>
public sealed class IngressHostRecords : BackgroundService
{
    private readonly SharedInformerFactory _informers;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (string[] Hosts, IPAddress[] Addresses)> _byIngress = new(StringComparer.Ordinal);
    private FrozenDictionary<string, IPAddress[]> _hosts = FrozenDictionary<string, IPAddress[]>.Empty;
    private bool _stale;

    public IngressHostRecords(SharedInformerFactory informers)
    {
        _informers = informers;
        informers.GetInformer<Ingress>().AddEventHandler(onAdd: Set, onUpdate: (_, i) => Set(i), onDelete: Remove);
    }

    /// <summary>The addresses published for the name (lower case, no trailing dot), or null when no Ingress serves it.</summary>
    public IPAddress[]? Find(string name)
    {
        var hosts = Current();
        if (hosts.TryGetValue(name, out var addresses))
        {
            return addresses;
        }

        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && hosts.TryGetValue("*" + name[dot..], out addresses) ? addresses : null;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Starts the Ingress informer alongside the zone's, whichever asked the factory first.
        _informers.Start();
        return Task.CompletedTask;
    }

    private FrozenDictionary<string, IPAddress[]> Current()
    {
        lock (_lock)
        {
            if (_stale)
            {
                _hosts = _byIngress.Values
                    .SelectMany(e => e.Hosts.Select(h => (Host: h, e.Addresses)))
                    .GroupBy(e => e.Host, StringComparer.Ordinal)
                    .ToFrozenDictionary(g => g.Key, g => g.SelectMany(e => e.Addresses).Distinct().ToArray(), StringComparer.Ordinal);
                _stale = false;
            }

            return _hosts;
        }
    }

    private void Set(Ingress ingress)
    {
        var addresses = (ingress.Status?.LoadBalancer?.Ingress ?? [])
            .Select(i => IPAddress.TryParse(i.Ip, out var ip) ? ip : null).OfType<IPAddress>().ToArray();
        var spec = ingress.Spec ?? new IngressSpec();
        var hosts = spec.Rules.Select(r => r.Host).Concat(spec.Tls.SelectMany(t => t.Hosts))
            .Where(h => h.Length > 0).Select(h => h.TrimEnd('.').ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToArray();
        lock (_lock)
        {
            var key = ingress.Metadata.Namespace + "/" + ingress.Metadata.Name;
            if (addresses.Length == 0 || hosts.Length == 0)
            {
                _stale |= _byIngress.Remove(key);
            }
            else
            {
                _byIngress[key] = (hosts, addresses);
                _stale = true;
            }
        }
    }

    private void Remove(Ingress ingress)
    {
        lock (_lock)
        {
            _stale |= _byIngress.Remove(ingress.Metadata.Namespace + "/" + ingress.Metadata.Name);
        }
    }
}
