using System.Diagnostics;
using KubeMesh.IngressController.Metrics;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace KubeMesh.IngressController.Proxy;

/// <summary>
/// The first step of the request pipeline, ahead of endpoint routing and any middleware the host adds. It picks every
/// request's route on the proxy ports from <see cref="DirectRouteTable"/>, the same table the connection front
/// (<see cref="ConnectionForwarding"/>) serves from, and sets it as the request's endpoint, so endpoint routing does
/// not match again: a configuration change reaches every request at once. ASP.NET Core's matcher is rebuilt from
/// the same endpoints in the change's callback, which takes long enough with many rules that requests matched by it
/// would follow the old rules while plain requests already followed the new ones.
/// A request the controller's own forwarding path serves, on a route whose rule needs none of the per-rule behaviour
/// of <see cref="IngressRequestMiddleware"/> (no 404 fallback, basic auth, rewrite-target or ssl-redirect), goes
/// straight to the pod the route's cluster picks round-robin, with the same counter YARP's load balancing uses;
/// everything else goes on to the route's endpoint, or the controller's 404 where no rule matches.
/// </summary>
internal sealed class EarlyForwarding
{
    private readonly EndpointDataSource _endpoints;
    private readonly DirectForwarder _forwarder;
    private readonly IngressMetrics _metrics;
    private readonly ILoadBalancingPolicy _roundRobin;
    private readonly int _healthPort;
    private DirectRouteTable? _table;

    public EarlyForwarding(EndpointDataSource endpoints, DirectForwarder forwarder, IngressMetrics metrics,
        IEnumerable<ILoadBalancingPolicy> policies, IOptions<IngressControllerOptions> options)
    {
        _endpoints = endpoints;
        _forwarder = forwarder;
        _metrics = metrics;
        _roundRobin = policies.Single(p => p.Name == LoadBalancingPolicies.RoundRobin);
        _healthPort = options.Value.HealthPort;
    }

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!_forwarder.Enabled || context.Connection.LocalPort == _healthPort)
        {
            return next(context);
        }

        var request = context.Request;
        var table = Table();
        if (table.Find(request.Host.Value ?? "", request.Path.Value ?? "/") is not { } entry)
        {
            context.SetEndpoint(table.Unmatched);
            return next(context);
        }

        context.SetEndpoint(entry.Endpoint);
        if (!DirectForwarder.ServesRequest(context) || !TryPlace(context, entry, out var placement))
        {
            return next(context);
        }

        return _metrics.Enabled
            ? ForwardMeasuredAsync(context, placement)
            : _forwarder.ForwardAsync(context, placement.Cluster.Model.Config, placement.Destination, placement.Pool);
    }

    /// <summary>
    /// The route endpoint routing would pick for this host and path, if its rule needs nothing of the per-rule
    /// behaviour, and the pod its round-robin cluster picks next, with a pooled connection to it; false for anything
    /// else, which the pipeline serves (including the 503 of a backend with no ready endpoint).
    /// </summary>
    /// <param name="context">The request, for the load-balancing policy; round-robin reads nothing of it.</param>
    internal bool TryPlace(HttpContext context, string host, string path, out Placement placement)
    {
        if (Table().Find(host, path) is { } entry)
        {
            return TryPlace(context, entry, out placement);
        }

        placement = default;
        return false;
    }

    private DirectRouteTable Table()
    {
        var table = _table;
        if (table is null || table.Changed.HasChanged)
        {
            _table = table = DirectRouteTable.Build(_endpoints);
        }

        return table;
    }

    private bool TryPlace(HttpContext context, DirectRouteTable.Entry entry, out Placement placement)
    {
        placement = default;
        if (entry.Policy is { NotFound: true } or { Auth: not null } or { Rewrite: not null } or { SslRedirect: true }
            || entry.Route.Cluster is not { } cluster
            || !DirectForwarder.ServesRoute(entry.Route.Config, cluster.Model.Config))
        {
            return false;
        }

        // YARP's LoadBalancingMiddleware: the only destination, else the cluster's policy (round-robin, checked above).
        var destinations = cluster.DestinationsState.AvailableDestinations;
        var destination = destinations.Count switch
        {
            0 => null,
            1 => destinations[0],
            _ => _roundRobin.PickDestination(context, cluster, destinations),
        };
        if (destination is null || _forwarder.PoolFor(destination) is not { } pool)
        {
            return false;
        }

        placement = new Placement(entry, cluster, destination, pool);
        return true;
    }

    private async Task ForwardMeasuredAsync(HttpContext context, Placement placement)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await _forwarder.ForwardAsync(context, placement.Cluster.Model.Config, placement.Destination, placement.Pool);
        }
        finally
        {
            _metrics.Record(placement.Entry.Policy, context.Response.StatusCode, start);
        }
    }

    /// <summary>Where a request goes: its route, the route's cluster, the pod picked and the pool of connections to it.</summary>
    internal readonly record struct Placement(DirectRouteTable.Entry Entry, ClusterState Cluster, DestinationState Destination, Upstream.Http1ConnectionPool Pool);
}
