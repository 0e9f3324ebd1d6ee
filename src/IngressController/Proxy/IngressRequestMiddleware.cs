using System.Diagnostics;
using KubeMesh.IngressController.Metrics;
using KubeMesh.IngressController.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Model;

namespace KubeMesh.IngressController.Proxy;

/// <summary>
/// The per-rule behaviour in front of YARP's load balancing and forwarding: ssl-redirect, basic auth, the 404 of
/// a host without a matching path, the 503 of a backend without ready endpoints, rewrite-target, and metrics.
/// Reads only the route's immutable policy: no lock and no allocation on the way to the backend.
/// </summary>
internal sealed class IngressRequestMiddleware(IngressMetrics metrics, IOptions<IngressControllerOptions> options)
{
    private readonly int _httpsPort = options.Value.HttpsPort;

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var policy = context.GetEndpoint()?.Metadata.GetMetadata<IngressRoutePolicy>() ?? IngressRoutePolicy.Unmatched;

        // Without a metrics listener the request goes on without an async frame of its own around it.
        return metrics.Enabled ? InvokeMeasuredAsync(context, policy, next) : HandleAsync(context, policy, next);
    }

    private async Task InvokeMeasuredAsync(HttpContext context, IngressRoutePolicy policy, RequestDelegate next)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await HandleAsync(context, policy, next);
        }
        finally
        {
            metrics.Record(policy, context.Response.StatusCode, start);
        }
    }

    private Task HandleAsync(HttpContext context, IngressRoutePolicy policy, RequestDelegate next)
    {
        if (policy.SslRedirect && !context.Request.IsHttps)
        {
            return RedirectToHttpsAsync(context);
        }

        if (policy.NotFound)
        {
            return NginxResponses.WriteAsync(context, StatusCodes.Status404NotFound, NginxResponses.NotFound);
        }

        if (policy.Auth is { } auth && !auth.IsAuthorized(context.Request))
        {
            context.Response.Headers.WWWAuthenticate = auth.Challenge;
            return NginxResponses.WriteAsync(context, StatusCodes.Status401Unauthorized, NginxResponses.Unauthorized);
        }

        if (context.GetReverseProxyFeature().AvailableDestinations.Count == 0)
        {
            return NginxResponses.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, NginxResponses.ServiceUnavailable);
        }

        if (policy.Rewrite is { } rewrite)
        {
            context.Request.Path = new PathString(rewrite.Rewrite(context.Request.Path.Value ?? "/"));
        }

        return next(context);
    }

    private Task RedirectToHttpsAsync(HttpContext context)
    {
        var request = context.Request;
        var host = request.Host.Host;
        var authority = _httpsPort == 443 ? host : $"{host}:{_httpsPort}";
        context.Response.Headers[HeaderNames.Location] = $"https://{authority}{request.PathBase}{request.Path}{request.QueryString}";
        return NginxResponses.WriteAsync(context, StatusCodes.Status308PermanentRedirect, NginxResponses.PermanentRedirect);
    }
}
