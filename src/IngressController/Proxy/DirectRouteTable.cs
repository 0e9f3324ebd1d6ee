using KubeMesh.IngressController.Routing;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Model;

namespace KubeMesh.IngressController.Proxy;

/// <summary>
/// The proxied routes as endpoint routing sees them, for a lookup ahead of it: each YARP route's endpoint with its
/// <see cref="IngressRoutePolicy"/>, in endpoint order, indexed by exact host. Endpoint routing picks the route of
/// lowest order among those whose template, host and <see cref="IngressMatcherPolicy"/> accept the request; the
/// templates and hosts only pre-select what the policy's host and path checks then decide exactly, and the proxied
/// routes are ordered ahead of every other endpoint, so the first route here whose policy accepts the request is the
/// one routing would pick. Built once per generation of the endpoints (a configuration change replaces them).
/// </summary>
internal sealed class DirectRouteTable
{
    private static readonly Entry[] None = [];

    private readonly Dictionary<string, Entry[]>.AlternateLookup<ReadOnlySpan<char>> _byHost;

    // Rules for any host and wildcard hosts: the candidates of a host no rule names exactly.
    private readonly Entry[] _otherHosts;

    private DirectRouteTable(IChangeToken changed, Dictionary<string, Entry[]> byHost, Entry[] otherHosts, Endpoint? unmatched)
    {
        Changed = changed;
        _byHost = byHost.GetAlternateLookup<ReadOnlySpan<char>>();
        _otherHosts = otherHosts;
        Unmatched = unmatched;
    }

    /// <summary>Fires when the endpoints this table was built from are replaced.</summary>
    public IChangeToken Changed { get; }

    /// <summary>The endpoint of requests no rule matches (the controller's 404), of the same generation.</summary>
    public Endpoint? Unmatched { get; }

    public static DirectRouteTable Build(EndpointDataSource source)
    {
        // The token first: a change while the endpoints are read leaves it fired, and the next request rebuilds.
        var changed = source.GetChangeToken();
        var entries = new List<Entry>();
        Endpoint? unmatched = null;
        foreach (var endpoint in source.Endpoints)
        {
            if (endpoint.Metadata.GetMetadata<UnmatchedRequests>() is not null)
            {
                unmatched = endpoint;
            }
            else if (endpoint is RouteEndpoint route
                && route.Metadata.GetMetadata<RouteModel>() is { } model
                && route.Metadata.GetMetadata<IngressRoutePolicy>() is { } policy)
            {
                entries.Add(new Entry(route, policy, model));
            }
        }

        // Stable, and orders are unique among the proxied routes (IngressRoutes gives each its rule's position).
        entries.Sort(static (a, b) => a.Endpoint.Order.CompareTo(b.Endpoint.Order));
        var byHost = new Dictionary<string, Entry[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in entries)
        {
            if (!entry.Policy.Host.IsAny && !entry.Policy.Host.IsWildcard && !byHost.ContainsKey(entry.Policy.Host.Host))
            {
                var host = entry.Policy.Host.Host;
                byHost[host] = [.. entries.Where(e => e.Policy.Host.IsAny || e.Policy.Host.IsWildcard
                    || string.Equals(e.Policy.Host.Host, host, StringComparison.OrdinalIgnoreCase))];
            }
        }

        var others = entries.Where(e => e.Policy.Host.IsAny || e.Policy.Host.IsWildcard).ToArray();
        return new DirectRouteTable(changed, byHost, others.Length == 0 ? None : others, unmatched);
    }

    /// <summary>The route endpoint routing would pick for this Host header and path, or null where it would pick none of them.</summary>
    public Entry? Find(string host, string path)
    {
        var candidates = _byHost.TryGetValue(HostMatch.StripPort(host), out var named) ? named : _otherHosts;
        foreach (var entry in candidates)
        {
            if (entry.Policy.Host.Matches(host) && entry.Policy.Path.Matches(path))
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>A proxied route: its endpoint, the rule's policy and YARP's state of the route and its cluster.</summary>
    internal sealed record Entry(RouteEndpoint Endpoint, IngressRoutePolicy Policy, RouteModel Route);

    /// <summary>Marks the endpoint that answers requests no rule matches.</summary>
    internal sealed class UnmatchedRequests
    {
        public static UnmatchedRequests Instance { get; } = new();
    }
}
