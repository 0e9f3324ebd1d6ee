using KubeMesh.Api.Core.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KubeMesh.Client;

public static class KubeMeshClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="KubeMeshClient"/> for the api-server (<paramref name="server"/>, else $KUBEMESH_SERVER,
    /// else the default address) and a <see cref="SharedInformerFactory"/> over it, both singletons; the factory's
    /// default resync comes from <see cref="SharedInformerOptions"/>.
    /// </summary>
    public static IServiceCollection AddKubeMeshClient(this IServiceCollection services, string? server = null)
    {
        services.TryAddSingleton(_ => KubeMeshClient.Create(KubeMeshClient.ResolveServerAddress(server)));
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
