using KubeMesh.Client;
using KubeMesh.Proxy.Extensions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Proxy.Tests;

/// <summary>
/// redis-server, the api-server and the proxy. Service and load-balancer ranges differ from the
/// defaults so that a cluster running on the same machine does not collide with the test.
/// </summary>
public sealed class ProxyTestCluster : IAsyncLifetime
{
    public const string LoadBalancerPool = "127.241.9.0/24";
    private readonly RedisServer _redis = new();
    private IHost? _proxy;

    public ApiServerHost ApiServer { get; private set; } = null!;

    public ServiceProxier Proxier => _proxy!.Services.GetRequiredService<ServiceProxier>();

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();
        ApiServer = await ApiServerHost.StartAsync(_redis.ConnectionString, new Dictionary<string, string?>
        {
            ["ApiServer:ServiceClusterIpRange"] = "127.97.0.0/16",
            ["ApiServer:ServiceNodePortRange"] = "40000-44999",
        });
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [KubeMeshClient.AddressConfigurationKey] = ApiServer.Address,
            ["Proxy:LoadBalancerPool"] = LoadBalancerPool,
        });
        builder.Logging.ClearProviders();
        builder.AddServiceProxy();
        _proxy = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _proxy.StartAsync(timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_proxy is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _proxy.StopAsync(timeout.Token);
            _proxy.Dispose();
        }

        if (ApiServer is not null)
        {
            await ApiServer.DisposeAsync();
        }

        await _redis.DisposeAsync();
    }
}
