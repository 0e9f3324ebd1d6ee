using KubeMesh.Client;
using KubeMesh.Client.LeaderElection;
using KubeMesh.ControllerManager.Controllers.Common;
using KubeMesh.ControllerManager.Controllers.CronJobs;
using KubeMesh.ControllerManager.Controllers.DaemonSets;
using KubeMesh.ControllerManager.Controllers.Deployments;
using KubeMesh.ControllerManager.Controllers.Endpoint;
using KubeMesh.ControllerManager.Controllers.GarbageCollection;
using KubeMesh.ControllerManager.Controllers.Jobs;
using KubeMesh.ControllerManager.Controllers.Namespaces;
using KubeMesh.ControllerManager.Controllers.RootCaCertPublisher;
using KubeMesh.ControllerManager.Controllers.ServiceAccount;
using KubeMesh.ControllerManager.Controllers.NodeLifecycle;
using KubeMesh.ControllerManager.Controllers.PodGC;
using KubeMesh.ControllerManager.Controllers.ReplicaSets;
using KubeMesh.ControllerManager.Controllers.StatefulSets;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KubeMesh.ControllerManager.Extensions;

public static class ControllerManagerExtensions
{
    /// <summary>The informers' resync period unless Informers:ResyncPeriod says otherwise (kube-controller-manager's --min-resync-period).</summary>
    public static readonly TimeSpan DefaultResyncPeriod = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Registers the shared client and informers and every controller enabled in configuration
    /// (Controllers:&lt;Name&gt;:Enabled, default true; Controllers:&lt;Name&gt;:Workers), like kube-controller-manager's --controllers.
    /// </summary>
    public static IHostApplicationBuilder AddControllerManager(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<SharedInformerOptions>(o => o.ResyncPeriod = DefaultResyncPeriod);
        services.Configure<SharedInformerOptions>(builder.Configuration.GetSection(SharedInformerOptions.Section));
        services.AddKubeMeshClient(builder.Configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new ControllerContext(
            sp.GetRequiredService<KubeMeshClient>(),
            sp.GetRequiredService<SharedInformerFactory>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<IConfiguration>())
        {
            Leadership = sp.GetService<ILeadership>(),
        });

        builder.AddController<ReplicaSetController>("ReplicaSet");
        builder.AddController<DeploymentController>("Deployment");
        builder.AddController<GarbageCollectorController>("GarbageCollector");
        builder.AddController<NodeLifecycleController>("NodeLifecycle");
        builder.AddController<PodGCController>("PodGC");
        builder.AddController<EndpointsController>("Endpoints");
        builder.AddController<JobController>("Job");
        builder.AddController<DaemonSetController>("DaemonSet");
        builder.AddController<CronJobController>("CronJob");
        builder.AddController<StatefulSetController>("StatefulSet");
        builder.AddController<NamespaceController>("Namespace");
        builder.AddController<ServiceAccountsController>("ServiceAccount");
        builder.AddController<RootCaCertPublisher>("RootCaCertPublisher");
        return builder;
    }

    private static void AddController<T>(this IHostApplicationBuilder builder, string name)
        where T : class, IHostedService
    {
        if (builder.Configuration.GetValue($"Controllers:{name}:Enabled", true))
        {
            builder.Services.AddHostedService<T>();
        }
    }
}
