using System.Net;
using KubeMesh.Client;
using KubeMesh.Kubelet.Hollow;
using KubeMesh.Kubelet.Volumes;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KubeMesh.Kubelet.Extensions;

public static class HollowNodeServiceCollectionExtensions
{
    /// <summary>
    /// A hollow-node process: <see cref="HollowNodeOptions.Nodes"/> node agents over one api-server channel and one
    /// ConfigMap and Secret watch, each node with its own pod watch, heartbeats and workers. It serves only /healthz and
    /// /readyz, over HTTP/1 on 127.0.0.1 at Kubelet:Hollow:HealthPort (a free port unless given).
    /// </summary>
    public static WebApplicationBuilder AddHollowNodes(this WebApplicationBuilder builder, KubeletOptions template, HollowNodeOptions hollow)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, hollow.HealthPort));
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ConfigSourceWatch>();
        services.AddSingleton(sp => new HollowNodeSet(
            template, hollow, sp, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<HollowNodeSet>>()));
        services.AddHostedService(sp => sp.GetRequiredService<HollowNodeSet>());
        services.AddHealthChecks().Add(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration(
            "hollow-nodes", sp => sp.GetRequiredService<HollowNodeSet>(), null, null));
        return builder;
    }
}
