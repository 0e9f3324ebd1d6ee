using System.Net;
using KubeMesh.Client;
using KubeMesh.Dns.Extensions;
using KubeMesh.Dns.Records;
using KubeMesh.Dns.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Dns.Tests;

/// <summary>redis-server, the api-server, dnsmasq as the upstream, and the cluster DNS on free ports of 127.0.0.53.</summary>
public sealed class DnsTestCluster : IAsyncLifetime
{
    public static readonly IPAddress DnsAddress = IPAddress.Parse("127.0.0.53");
    private readonly RedisServer _redis = new();
    private Dnsmasq? _upstream;
    private IHost? _dns;

    public ApiServerHost ApiServer { get; private set; } = null!;

    public IPEndPoint DnsEndpoint { get; private set; } = null!;

    public IPEndPoint UpstreamEndpoint => _upstream!.Endpoint;

    public ClusterDnsIndex Index => _dns!.Services.GetRequiredService<ClusterDnsIndex>();

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();
        ApiServer = await ApiServerHost.StartAsync(_redis.ConnectionString);
        _upstream = await Dnsmasq.StartAsync(IPAddress.Parse("127.0.0.54"));
        var port = FreePort.GetForTcpAndUdp(DnsAddress);
        DnsEndpoint = new IPEndPoint(DnsAddress, port);
        _dns = await StartDnsAsync(ApiServer.Address, DnsEndpoint, _upstream.Endpoint);
    }

    /// <param name="services">Changes to the DNS's services after its own registrations (a test's stand-in part).</param>
    public static async Task<IHost> StartDnsAsync(string apiServer, IPEndPoint endpoint, IPEndPoint upstream, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [KubeMeshClient.AddressConfigurationKey] = apiServer,
            ["Dns:Address"] = endpoint.Address.ToString(),
            ["Dns:Port"] = endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Dns:Upstream"] = upstream.ToString(),
        });
        builder.Logging.ClearProviders();
        builder.AddClusterDns();
        services?.Invoke(builder.Services);
        var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StartAsync(timeout.Token);
        await host.Services.GetRequiredService<ClusterDnsIndex>().WaitForFirstZoneAsync(timeout.Token);
        return host;
    }

    public async Task DisposeAsync()
    {
        // Each part is stopped even when an earlier one fails to, so no redis-server or dnsmasq outlives the run.
        try
        {
            if (_dns is not null)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _dns.StopAsync(timeout.Token);
                _dns.Dispose();
            }
        }
        finally
        {
            try
            {
                if (ApiServer is not null)
                {
                    await ApiServer.DisposeAsync();
                }
            }
            finally
            {
                _upstream?.Dispose();
                await _redis.DisposeAsync();
            }
        }
    }
}
