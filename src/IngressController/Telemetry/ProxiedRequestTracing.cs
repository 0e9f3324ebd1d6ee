using System.Diagnostics;
using KubeMesh.IngressController.Upstream;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace KubeMesh.IngressController.Telemetry;

/// <summary>
/// Which requests the controller traces, and their server spans, decided before anything else runs. As
/// ingress-nginx's opentelemetry module: a request that arrives with a sampled traceparent is traced under it; one
/// with an unsampled traceparent is not, and its context goes on to the pod as it came; one without starts a trace
/// at <c>IngressController:TraceSampleRatio</c> (otel-sampler-ratio), and at most
/// <c>IngressController:TraceRateLimit</c> of those a second (Jaeger's rate-limiting sampler), so that a load test
/// through the ingress neither floods the dashboard nor pays for tracing most of its requests.
/// </summary>
/// <remarks>
/// The controller leaves ASP.NET Core's request instrumentation off (<c>AddServiceDefaults(serverRequestSpans:
/// false)</c>): with it on, the hosting starts an Activity for every request even when the sampler drops it, which
/// OpenTelemetry keeps to propagate the trace id; at a load test's rate that cost a tenth of the controller's CPU.
/// Here an untraced request makes no Activity at all. A traced one gets a server span with OpenTelemetry's HTTP server
/// attributes, named for the ingress rule's route once routing has picked it, under which
/// <see cref="UpstreamTelemetry"/> records the hop to the pod.
/// </remarks>
internal sealed class ProxiedRequestTracing
{
    private readonly double _ratio;
    private readonly TraceRateLimiter _limiter;
    private readonly int _healthPort;

    public ProxiedRequestTracing(IOptions<IngressControllerOptions> options, TimeProvider time)
    {
        var settings = options.Value;
        _ratio = settings.TraceSampleRatio;
        _limiter = new TraceRateLimiter(settings.TraceRateLimit, time);
        _healthPort = settings.HealthPort;
    }

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!UpstreamTelemetry.Source.HasListeners() || context.Connection.LocalPort == _healthPort)
        {
            return next(context);
        }

        var headers = context.Request.Headers;
        var traceparent = headers.TraceParent;
        return ShouldTrace(traceparent.Count == 1 ? traceparent[0] : null, headers.TraceState.Count == 1 ? headers.TraceState[0] : null, out var parent)
            ? TraceAsync(context, next, parent)
            : next(context);
    }

    /// <summary>
    /// Whether to trace a request that came with this traceparent and tracestate (null when absent or given more than
    /// once), and under which parent (default: a new trace). Only when the controller's source has listeners.
    /// </summary>
    public bool ShouldTrace(string? traceparent, string? tracestate, out ActivityContext parent)
    {
        if (traceparent is not null && ActivityContext.TryParse(traceparent, tracestate, isRemote: true, out parent))
        {
            return (parent.TraceFlags & ActivityTraceFlags.Recorded) != 0;
        }

        parent = default;
        return _ratio > 0 && (_ratio >= 1 || Random.Shared.NextDouble() < _ratio) && _limiter.TryAcquire();
    }

    private static async Task TraceAsync(HttpContext context, RequestDelegate next, ActivityContext parent)
    {
        var request = context.Request;
        using var activity = UpstreamTelemetry.Source.StartActivity(request.Method, ActivityKind.Server, parent);
        if (activity is null)
        {
            await next(context);
            return;
        }

        if (activity.IsAllDataRequested)
        {
            TagServer(activity, request.Method, request.Scheme, request.Path.Value, request.Host.Host, request.Host.Port, ProtocolVersion(request.Protocol),
                context.Connection.RemoteIpAddress?.ToString(), request.Headers.UserAgent is { Count: > 0 } agent ? agent.ToString() : null);
        }

        try
        {
            await next(context);
        }
        catch (Exception exception)
        {
            UpstreamTelemetry.Fail(activity, exception);
            throw;
        }

        Complete(activity, request.Method, context.Response.StatusCode, context.GetEndpoint() as RouteEndpoint);
    }

    /// <summary>OpenTelemetry's HTTP server attributes of a request's span.</summary>
    internal static void TagServer(Activity activity, string method, string scheme, string? path, string host, int? port, string protocolVersion,
        string? clientAddress, string? userAgent)
    {
        activity.SetTag("http.request.method", method);
        activity.SetTag("url.scheme", scheme);
        activity.SetTag("url.path", path);
        activity.SetTag("server.address", host);
        if (port is { } value)
        {
            activity.SetTag("server.port", value);
        }

        activity.SetTag("network.protocol.version", protocolVersion);
        activity.SetTag("client.address", clientAddress);
        if (userAgent is not null)
        {
            activity.SetTag("user_agent.original", userAgent);
        }
    }

    /// <summary>A server span ends: its status, and the name of the route that served it.</summary>
    internal static void Complete(Activity activity, string method, int status, RouteEndpoint? endpoint)
    {
        // A server span is an error for a 5xx only, as the upstream's client span is.
        UpstreamTelemetry.Stop(activity, status);
        if (endpoint is { RoutePattern.RawText: { } route })
        {
            activity.SetTag("http.route", route);
            activity.DisplayName = $"{method} {route}";
        }
    }

    private static string ProtocolVersion(string protocol) => protocol switch
    {
        "HTTP/1.1" => "1.1",
        "HTTP/2" => "2",
        "HTTP/1.0" => "1.0",
        "HTTP/3" => "3",
        _ => protocol,
    };
}

/// <summary>
/// At most <c>perSecond</c> acquisitions in each second of <see cref="TimeProvider"/>'s clock; 0 or less for no limit.
/// Two threads at a second's turn may both start it afresh, letting a second through a few more: a sampling bound,
/// not a quota.
/// </summary>
internal sealed class TraceRateLimiter(double perSecond, TimeProvider time)
{
    private long _second = long.MinValue;
    private long _taken;

    public bool TryAcquire()
    {
        if (perSecond <= 0)
        {
            return true;
        }

        var second = time.GetTimestamp() / time.TimestampFrequency;
        if (Volatile.Read(ref _second) != second)
        {
            Interlocked.Exchange(ref _taken, 0);
            Volatile.Write(ref _second, second);
        }

        return Interlocked.Increment(ref _taken) <= perSecond;
    }
}
