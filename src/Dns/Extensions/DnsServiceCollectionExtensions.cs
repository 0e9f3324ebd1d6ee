using KubeMesh.Client;
using KubeMesh.Dns.Records;
using KubeMesh.Dns.Resolution;
using KubeMesh.Dns.Server;

namespace KubeMesh.Dns.Extensions;

public static class DnsServiceCollectionExtensions
{
    /// <summary>The cluster DNS: informers on Services and Endpoints, the zone, the resolver, the forwarder and the UDP/TCP server.</summary>
    public static IHostApplicationBuilder AddClusterDns(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<DnsOptions>(builder.Configuration.GetSection(DnsOptions.Section));
        services.AddKubeMeshClient(builder.Configuration);
        services.AddSingleton<ClusterDnsIndex>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterDnsIndex>());
        services.AddSingleton<ClusterDnsResolver>();
        services.AddSingleton<UpstreamForwarder>();
        services.AddSingleton<UdpDnsListener>();
        services.AddSingleton<ClusterDnsServer>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterDnsServer>());
        return builder;
    }
}
