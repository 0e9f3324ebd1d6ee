using Grpc.Core.Interceptors;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KubeMesh.Client.LeaderElection;

public static class LeaderElectionServiceCollectionExtensions
{
    /// <summary>
    /// Makes the component leader-elected on the Lease <paramref name="leaseName"/> in kube-system (LeaderElection
    /// section, kube's --leader-elect flags): registers <see cref="LeaderElection"/> as <see cref="ILeadership"/> and
    /// as a hosted service, and the component's <see cref="KubeMeshClient"/>, whose writes are refused while this process
    /// does not lead. Call it before AddKubeMeshClient; the elector shares the client's connection, unguarded.
    /// </summary>
    public static IServiceCollection AddLeaderElection(this IServiceCollection services, IConfiguration configuration, string leaseName)
    {
        services.AddOptions<LeaderElectionOptions>()
            .Bind(configuration.GetSection(LeaderElectionOptions.Section))
            .PostConfigure(o => o.ResourceName = o.ResourceName.Length > 0 ? o.ResourceName : leaseName);
        var connection = KubeMeshClientServiceCollectionExtensions.ConnectionFrom(configuration);
        services.TryAddSingleton(_ => new ElectionClient(KubeMeshClient.Create(connection)));
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<LeaderElection>(sp, sp.GetRequiredService<ElectionClient>().Client));
        services.TryAddSingleton<ILeadership>(sp => sp.GetRequiredService<LeaderElection>());
        services.AddHostedService(sp => sp.GetRequiredService<LeaderElection>());
        services.TryAddSingleton(sp =>
        {
            var guard = new LeaderWriteGuard(sp.GetRequiredService<ILeadership>(), $"kube-system/{leaseName}");
            return new KubeMeshClient(sp.GetRequiredService<ElectionClient>().Client.CallInvoker.Intercept(guard));
        });
        return services;
    }

    /// <summary>The elector's own client, owning the connection the guarded component client shares.</summary>
    private sealed record ElectionClient(KubeMeshClient Client) : IDisposable
    {
        public void Dispose() => Client.Dispose();
    }
}
