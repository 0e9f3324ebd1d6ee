using System.Diagnostics;
using KubeMesh.IngressController.Metrics;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace KubeMesh.IngressController.Proxy;

/// <summary>
/// The first step of the request pipeline, ahead of endpoint routing and any middleware the host adds: a request
/// the controller's own forwarding path serves, on a route whose rule needs none of the per-rule behaviour of
/// <see cref="IngressRequestMiddleware"/> (no 404 fallback, basic auth, rewrite-target or ssl-redirect), goes
/// straight to the pod the route's cluster picks round-robin, with the same counter YARP's load balancing uses.
/// The request ends with the same endpoint set as routing would have set, so the server span and the request's
/// metrics name the same route; everything else goes on through routing, untouched.
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
        if (!_forwarder.Enabled || context.Connection.LocalPort == _healthPort || !DirectForwarder.ServesRequest(context))
        {
            return next(context);
        }

        var table = _table;
        if (table is null || table.Changed.HasChanged)
        {
            _table = table = DirectRouteTable.Build(_endpoints);
        }

        var request = context.Request;
        if (table.Find(request.Host.Value ?? "", request.Path.Value ?? "/") is not { } entry
            || entry.Policy is { NotFound: true } or { Auth: not null } or { Rewrite: not null } or { SslRedirect: true }
            || entry.Route.Cluster is not { } cluster
            || !DirectForwarder.ServesRoute(entry.Route.Config, cluster.Model.Config))
        {
            return next(context);
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
            // No ready endpoint: the 503 and its metrics come from the pipeline.
            return next(context);
        }

        context.SetEndpoint(entry.Endpoint);
        return _metrics.Enabled
            ? ForwardMeasuredAsync(context, entry, cluster, destination, pool)
            : _forwarder.ForwardAsync(context, cluster.Model.Config, destination, pool);
    }

    private async Task ForwardMeasuredAsync(HttpContext context, DirectRouteTable.Entry entry, ClusterState cluster, DestinationState destination,
        Upstream.Http1ConnectionPool pool)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await _forwarder.ForwardAsync(context, cluster.Model.Config, destination, pool);
        }
        finally
        {
            _metrics.Record(entry.Policy, context.Response.StatusCode, start);
        }
    }
}
