using KubeMesh.Api.Core.V1;
using KubeMesh.Client.Credentials;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KubeMesh.Client;

public static class KubeMeshClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="KubeMeshClient"/> and a <see cref="SharedInformerFactory"/> over it: how every component
    /// finds the api-server. With <see cref="KubeMeshClient.KubeconfigConfigurationKey"/> (ApiServer:Kubeconfig, what
    /// Kubernetes components take as --kubeconfig) the client connects with that file's server, CA and credentials, and
    /// ApiServer:Address, when set too, overrides only the server (as --master does). Without it, ApiServer:Address or
    /// the default address, in cleartext.
    /// </summary>
    public static IServiceCollection AddKubeMeshClient(this IServiceCollection services, IConfiguration configuration)
    {
        var connection = ConnectionFrom(configuration);
        services.TryAddSingleton(_ => KubeMeshClient.Create(connection));
        return services.AddKubeMeshClient(connection.Address);
    }

    /// <summary>The api-server and credentials a component's configuration names (ApiServer:Kubeconfig, ApiServer:Address).</summary>
    public static ApiServerConnection ConnectionFrom(IConfiguration configuration)
    {
        var address = configuration[KubeMeshClient.AddressConfigurationKey];
        var fallback = new ApiServerConnection(string.IsNullOrWhiteSpace(address) ? KubeMeshClient.DefaultServerAddress : address);
        if (configuration[KubeMeshClient.KubeconfigConfigurationKey] is not { Length: > 0 } kubeconfig)
        {
            return fallback;
        }

        var connection = Kubeconfig.Load(kubeconfig);
        return string.IsNullOrWhiteSpace(address) ? connection : connection with { Address = address };
    }

    /// <summary>
    /// Registers one <see cref="KubeMeshClient"/> for the api-server at <paramref name="server"/> (else the default
    /// address) and a <see cref="SharedInformerFactory"/> over it, both singletons; a client registered before wins; the
    /// factory's default resync comes from <see cref="SharedInformerOptions"/>.
    /// </summary>
    public static IServiceCollection AddKubeMeshClient(this IServiceCollection services, string? server = null)
    {
        services.TryAddSingleton(_ => KubeMeshClient.Create(string.IsNullOrWhiteSpace(server) ? KubeMeshClient.DefaultServerAddress : server));
        services.TryAddSingleton(sp => new SharedInformerFactory(
            sp.GetRequiredService<KubeMeshClient>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IOptions<SharedInformerOptions>>()?.Value.ResyncPeriod ?? TimeSpan.Zero));
        return services;
    }

    /// <summary>Registers an <see cref="EventRecorder"/> reporting as <paramref name="component"/> from this host.</summary>
    public static IServiceCollection AddKubeMeshEventRecorder(this IServiceCollection services, string component, string? host = null)
    {
        services.AddKubeMeshClient();
        services.TryAddSingleton(sp => new EventRecorder(
            sp.GetRequiredService<KubeMeshClient>().For<Event>(),
            new EventSource { Component = component, Host = host ?? Environment.MachineName },
            sp.GetService<ILogger<EventRecorder>>(),
            sp.GetService<TimeProvider>()));
        return services;
    }
}
