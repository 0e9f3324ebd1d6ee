using System.Diagnostics;
using KubeMesh.IngressController.Upstream;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace KubeMesh.IngressController.Proxy;

/// <summary>
/// The controller's own forwarding path, the last step of the proxy pipeline after YARP's load balancing: a request
/// over HTTP/1.x without a body or an upgrade, to a plain-HTTP destination of a round-robin cluster, is written straight to a
/// pooled HTTP/1.1 connection to the pod and the pod's response is streamed back through Kestrel, with none of the
/// HttpRequestMessage, HttpResponseMessage and header copies of YARP's forwarder. Everything else (HTTP/2 clients, request
/// bodies, Expect: 100-continue, upgrades and WebSockets, least_conn and ewma, which count requests in flight through YARP's
/// forwarder) goes on to YARP. Errors are answered as YARP answers them: 504 when the pod is slower than
/// proxy-read-timeout or proxy-connect-timeout, 502 for any other failure before the response began; a failure
/// after it began aborts the client's connection.
/// </summary>
internal sealed partial class DirectForwarder(Http1ConnectionPools pools, IOptions<IngressControllerOptions> options, ILogger<DirectForwarder> logger)
{
    // YARP's ActivityTimeout when a cluster sets none.
    private static readonly TimeSpan DefaultActivityTimeout = TimeSpan.FromSeconds(100);

    private readonly bool _enabled = options.Value.DirectForwarding;

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!_enabled)
        {
            return next(context);
        }

        var feature = context.GetReverseProxyFeature();
        var destinations = feature.AvailableDestinations;
        if (destinations.Count != 1 || !Serves(context, feature) || PoolFor(destinations[0]) is not { } pool)
        {
            return next(context);
        }

        feature.ProxiedDestination = destinations[0];
        return ForwardAsync(context, feature.Cluster.Config, destinations[0], pool);
    }

    /// <summary>Whether this path is on (IngressController:DirectForwarding).</summary>
    public bool Enabled => _enabled;

    /// <summary>The pooled connections to a plain-HTTP destination; null for any other.</summary>
    public Http1ConnectionPool? PoolFor(DestinationState destination) => pools.ForOrigin(destination.Model.Config.Address);

    /// <summary>Whether this path serves the request as YARP would, with nothing of YARP's left out.</summary>
    internal static bool Serves(HttpContext context, IReverseProxyFeature feature) =>
        ServesRequest(context) && ServesRoute(feature.Route.Config, feature.Cluster.Config);

    /// <summary>
    /// An HTTP/1.x request without a body, an upgrade or CONNECT; HTTP/2 clients stay with YARP, which passes them a
    /// chunked response's trailers.
    /// </summary>
    internal static bool ServesRequest(HttpContext context)
    {
        var request = context.Request;
        return (HttpProtocol.IsHttp11(request.Protocol) || HttpProtocol.IsHttp10(request.Protocol))
            && context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false }
            && !HttpMethods.IsConnect(request.Method)
            && context.Features.Get<IHttpUpgradeFeature>() is not { IsUpgradableRequest: true };
    }

    /// <summary>A round-robin cluster over HTTP/1.1 without affinity, passive health checks or configured transforms.</summary>
    internal static bool ServesRoute(RouteConfig route, ClusterConfig cluster) =>
        cluster.LoadBalancingPolicy == LoadBalancingPolicies.RoundRobin
        && cluster.SessionAffinity is not { Enabled: true }
        && cluster.HealthCheck?.Passive is not { Enabled: true }
        && cluster.HttpRequest is not { Version.Major: >= 2, VersionPolicy: not HttpVersionPolicy.RequestVersionOrLower }
        && route.Transforms is not { Count: > 0 };

    /// <summary>Forwards the request to <paramref name="destination"/>, one of <paramref name="cluster"/>'s, over <paramref name="pool"/>.</summary>
    public async Task ForwardAsync(HttpContext context, ClusterConfig cluster, DestinationState destination, Http1ConnectionPool pool)
    {
        var timeout = cluster.HttpRequest?.ActivityTimeout ?? DefaultActivityTimeout;
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        cancellation.CancelAfter(timeout);

        Http1ResponseStream body;
        using (var activity = UpstreamTelemetry.Start(context.Request.Method, (context, pool), static s => UpstreamUri(s.context, s.pool), pool))
        {
            try
            {
                // The pod sees this hop's span as parent; without one (not sampled) the request's own context, unrecorded.
                body = await pool.ExchangeAsync((context, Trace: activity ?? Activity.Current, pool), Exchange, cancellation.Token);
            }
            catch (Exception exception)
            {
                if (activity is not null)
                {
                    UpstreamTelemetry.Fail(activity, exception);
                }

                Fail(context, destination, exception);
                return;
            }

            if (activity is not null)
            {
                UpstreamTelemetry.Stop(activity, context.Response.StatusCode);
            }
        }

        using (body)
        {
            await CopyBodyAsync(context, destination, body, cancellation, timeout);
        }
    }

    /// <summary>The request's head written into <paramref name="connection"/>'s buffer and exchanged on it.</summary>
    private static ValueTask<Http1ResponseStream> Exchange(Http1Connection connection, (HttpContext Context, Activity? Trace, Http1ConnectionPool Pool) state,
        CancellationToken cancellationToken)
    {
        RequestHead head;
        try
        {
            head = DirectRequestHead.Write(state.Context, connection.HeadBuffer, state.Pool.Key, state.Trace, state.Pool.Settings);
        }
        catch
        {
            connection.ReturnUnused();
            throw;
        }

        return connection.ExchangeAsync(head, content: null, new KestrelResponseSink(state.Context), cancellationToken);
    }

    /// <summary>
    /// The body as it arrives, each read flushed to the client at once as YARP does without response buffering (a
    /// stream of events reaches the client event by event); proxy-read-timeout counts from the last read.
    /// </summary>
    private async Task CopyBodyAsync(HttpContext context, DestinationState destination, Http1ResponseStream body, CancellationTokenSource cancellation,
        TimeSpan timeout)
    {
        var writer = context.Response.BodyWriter;
        while (true)
        {
            int read;
            try
            {
                read = await body.ReadAsync(writer.GetMemory(), cancellation.Token);
            }
            catch (Exception exception)
            {
                // The client has part of a response it cannot tell from a whole one but by the connection ending.
                Log.BodyFailed(logger, destination.Model.Config.Address, exception.Message);
                context.Features.Set<IForwarderErrorFeature>(new ForwardError(ForwarderError.ResponseBodyDestination, exception));
                context.Abort();
                return;
            }

            if (read == 0)
            {
                return;
            }

            writer.Advance(read);
            var flushed = await writer.FlushAsync(context.RequestAborted);
            if (flushed.IsCanceled || flushed.IsCompleted)
            {
                // The client went away: disposing the unfinished body closes the pod's connection.
                return;
            }

            cancellation.CancelAfter(timeout);
        }
    }

    private void Fail(HttpContext context, DestinationState destination, Exception exception)
    {
        var aborted = context.RequestAborted.IsCancellationRequested;
        var (error, status) = exception is OperationCanceledException
            ? aborted ? (ForwarderError.RequestCanceled, StatusCodes.Status502BadGateway) : (ForwarderError.RequestTimedOut, StatusCodes.Status504GatewayTimeout)
            : (ForwarderError.Request, StatusCodes.Status502BadGateway);
        context.Features.Set<IForwarderErrorFeature>(new ForwardError(error, exception));
        if (!aborted)
        {
            Log.RequestFailed(logger, destination.Model.Config.Address, error, exception.Message);
        }

        // What a half-read response head already set goes; the client gets YARP's empty error response.
        if (!context.Response.HasStarted)
        {
            context.Response.Clear();
            context.Response.StatusCode = status;
        }
    }

    private static Uri UpstreamUri(HttpContext context, Http1ConnectionPool pool)
    {
        var request = context.Request;
        return new Uri($"http://{pool.Key}{request.PathBase.ToUriComponent()}{request.Path.ToUriComponent()}{request.QueryString.Value}");
    }

    private sealed class ForwardError(ForwarderError error, Exception exception) : IForwarderErrorFeature
    {
        public ForwarderError Error { get; } = error;

        public Exception? Exception { get; } = exception;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Forwarding to {Destination} failed ({Error}): {Message}")]
        public static partial void RequestFailed(ILogger logger, string destination, ForwarderError error, string message);

        [LoggerMessage(2, LogLevel.Warning, "Reading the response body from {Destination} failed: {Message}")]
        public static partial void BodyFailed(ILogger logger, string destination, string message);
    }
}
