using KubeMesh.Client;
using KubeMesh.IngressController.Configuration;
using KubeMesh.IngressController.Metrics;
using KubeMesh.IngressController.Proxy;
using KubeMesh.IngressController.Routing;
using KubeMesh.IngressController.Status;
using KubeMesh.IngressController.Telemetry;
using KubeMesh.IngressController.Sync;
using KubeMesh.IngressController.Tls;
using KubeMesh.IngressController.Transport;
using KubeMesh.IngressController.Upstream;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms;

namespace KubeMesh.IngressController.Extensions;

public static class IngressControllerExtensions
{
    /// <summary>
    /// Registers the controller: informers over the api-server (configuration ApiServer:Address, else the default
    /// address), the YARP proxy fed by the merged ingresses, TLS by SNI, and its listeners.
    /// </summary>
    public static WebApplicationBuilder AddIngressController(this WebApplicationBuilder builder)
    {
        var services = builder.Services;

        // With this category on at any level, ASP.NET Core's hosting starts an Activity and a logging scope for
        // every request even when nothing listens, only to log request start and end at Information: on a proxy
        // that is a share of the per-request cost. Traced requests get their spans from ProxiedRequestTracing.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        services.Configure<IngressControllerOptions>(builder.Configuration.GetSection(IngressControllerOptions.Section));
        var settings = builder.Configuration.GetSection(IngressControllerOptions.Section).Get<IngressControllerOptions>() ?? new();

        if (settings.TraceSampleRatio is < 0 or > 1 or double.NaN)
        {
            throw new InvalidOperationException(
                $"IngressController:TraceSampleRatio: Invalid value: {settings.TraceSampleRatio}: must be between 0 and 1");
        }

        if (settings.TraceRateLimit is < 0 or double.NaN or double.PositiveInfinity)
        {
            throw new InvalidOperationException(
                $"IngressController:TraceRateLimit: Invalid value: {settings.TraceRateLimit}: must be a number of traces a second, 0 for no limit");
        }

        // Which requests are traced is decided by ProxiedRequestTracing, ahead of everything else in the pipeline.
        services.AddSingleton<ProxiedRequestTracing>();
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.DropPerRequestInstruments());
        services.AddKubeMeshClient(builder.Configuration);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<CertificateStore>();
        services.AddSingleton<ProxyConfigBuilder>();
        services.AddSingleton<IngressProxyConfigProvider>();
        services.AddSingleton<IProxyConfigProvider>(sp => sp.GetRequiredService<IngressProxyConfigProvider>());
        services.AddSingleton<IngressMetrics>();
        services.AddSingleton<IngressRequestMiddleware>();
        services.AddSingleton<DirectForwarder>();
        services.AddSingleton<EarlyForwarding>();
        services.AddSingleton<ConnectionForwarding>();
        services.AddTransient<IStartupFilter, EarlyForwardingStartupFilter>();
        services.AddSingleton<IngressSynchronizer>();
        services.AddHostedService(sp => sp.GetRequiredService<IngressSynchronizer>());
        services.AddSingleton<IngressStatusPublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<IngressStatusPublisher>());

        // Last of the hosted services, which start before the server: no port opens before the first configuration.
        services.AddSingleton<FirstConfigurationGate>();
        services.AddSingleton<IConfigChangeListener>(sp => sp.GetRequiredService<FirstConfigurationGate>());
        services.AddHostedService(sp => sp.GetRequiredService<FirstConfigurationGate>());
        services.AddSingleton<MatcherPolicy>(new IngressMatcherPolicy(settings.HealthPort));
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, IngressListenerSetup>();
        services.Configure<SocketTransportOptions>(IngressTransport.Configure);

        // After Kestrel's socket transport, so Kestrel asks it first; it takes only the HTTP port's endpoint.
        services.AddSingleton<IConnectionListenerFactory, EpollTransportFactory>();
        services.AddHealthChecks().AddCheck<IngressConfigHealthCheck>("ingress-config", tags: ["ready"]);

        // Upstream connections pooled as nginx's keepalive does, uncapped, over the controller's own HTTP/1.1 client.
        services.AddSingleton(sp => new Http1ConnectionPools(
            new UpstreamSettings
            {
                ConnectTimeout = settings.UpstreamConnectTimeout,
                KeepAliveTimeout = settings.UpstreamKeepAliveTimeout,
                Epoll = settings.EpollTransport && EpollEngine.IsSupported,
            },
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IForwarderHttpClientFactory, UpstreamHttpClientFactory>();
        services.AddReverseProxy()
            .AddTransforms(context =>
            {
                // The pods see the Host the client asked for, as behind ingress-nginx.
                context.AddOriginalHost(true);
                context.AddRequestTransform(ForwardedHeaders.AddAsync);
                context.AddRequestTransform(HopByHopHeaders.RemoveNominatedAsync);
            });
        return builder;
    }

    /// <summary>Maps the proxied routes, the 404 for unmatched requests and health endpoints on the health port.</summary>
    public static WebApplication MapIngressController(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<IOptions<IngressControllerOptions>>().Value;
        var provider = app.Services.GetRequiredService<IngressProxyConfigProvider>();
        var middleware = app.Services.GetRequiredService<IngressRequestMiddleware>();
        var direct = app.Services.GetRequiredService<DirectForwarder>();

        app.MapReverseProxy(pipeline =>
        {
            // No session affinity or passive health checks: the controller configures neither (ingress-nginx's
            // affinity annotations are not implemented), and each would be one more step on every request.
            pipeline.Use((HttpContext context, RequestDelegate next) => middleware.InvokeAsync(context, next));
            pipeline.UseLoadBalancing();

            // Last, once a destination is chosen: what the controller forwards itself never reaches YARP's forwarder.
            pipeline.Use((HttpContext context, RequestDelegate next) => direct.InvokeAsync(context, next));
        }).ConfigureEndpoints((endpoint, route) => endpoint.WithMetadata(provider.FindPolicy(route) ?? IngressRoutePolicy.Disabled));

        app.Map(RouteTemplates.CatchAll, (RequestDelegate)(context => middleware.InvokeAsync(context, static _ => Task.CompletedTask)))
            .WithOrder(int.MaxValue)
            .WithMetadata(DirectRouteTable.UnmatchedRequests.Instance);

        var healthHost = "*:" + settings.HealthPort;
        app.MapHealthChecks("/healthz", new() { Predicate = r => r.Tags.Contains("live") }).RequireHost(healthHost);
        app.MapHealthChecks("/readyz").RequireHost(healthHost);

        // ingress-nginx's /configuration/backends: how the served configuration balances each backend.
        app.MapGet("/configuration/backends", () => BackendView.From(provider.Current))
            .RequireHost(healthHost);
        return app;
    }
}
