using KubeMesh.Client;
using KubeMesh.Proxy.LoadBalancers;

namespace KubeMesh.Proxy.Extensions;

public static class ProxyServiceCollectionExtensions
{
    /// <summary>The service proxy: informers, the load-balancer address allocator and the sync loop.</summary>
    public static IHostApplicationBuilder AddServiceProxy(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<ProxyOptions>(builder.Configuration.GetSection(ProxyOptions.Section));
        services.AddKubeMeshClient(builder.Configuration);
        services.AddKubeMeshEventRecorder(LoadBalancerAllocator.Component);
        services.AddSingleton<LoadBalancerAllocator>();
        services.AddSingleton<ServiceProxier>();
        services.AddHostedService(sp => sp.GetRequiredService<ServiceProxier>());
        return builder;
    }
}
