using KubeMesh.IngressController.Proxy;
using KubeMesh.IngressController.Telemetry;

namespace KubeMesh.IngressController.Extensions;

/// <summary>
/// Puts <see cref="EarlyForwarding"/> at the very front of the pipeline, ahead of the routing, authentication and
/// authorization middleware the web application adds before its own, which a plain proxied request needs none of;
/// only the decision whether to trace the request (<see cref="ProxiedRequestTracing"/>) comes before it.
/// </summary>
internal sealed class EarlyForwardingStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        var tracing = app.ApplicationServices.GetRequiredService<ProxiedRequestTracing>();
        app.Use((HttpContext context, RequestDelegate rest) => tracing.InvokeAsync(context, rest));
        var early = app.ApplicationServices.GetRequiredService<EarlyForwarding>();
        app.Use((HttpContext context, RequestDelegate rest) => early.InvokeAsync(context, rest));
        next(app);
    };
}
