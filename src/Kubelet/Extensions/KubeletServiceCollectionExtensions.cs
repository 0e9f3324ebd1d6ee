using KubeMesh.Client;
using KubeMesh.Kubelet.Images;
using KubeMesh.Kubelet.Nodes;
using KubeMesh.Kubelet.Pods;
using KubeMesh.Kubelet.Runtime;
using KubeMesh.Kubelet.Server;
using KubeMesh.Kubelet.Volumes;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KubeMesh.Kubelet.Extensions;

public static class KubeletServiceCollectionExtensions
{
    /// <summary>
    /// The node agent: node registration and heartbeats, pod workers over the process runtime, and the kubelet's
    /// gRPC endpoint on the node's InternalIP and Kubelet:Port (cleartext HTTP/2, what the node status publishes).
    /// Expects a <see cref="KubeMeshClient"/> registered (AddKubeMeshClient).
    /// </summary>
    public static WebApplicationBuilder AddKubelet(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(KubeletOptions.Section);
        var options = section.Get<KubeletOptions>() ?? new KubeletOptions();
        options.StateDirectory = Path.GetFullPath(options.StateDirectory);
        var services = builder.Services;
        services.AddSingleton(Options.Create(options));
        services.AddSingleton(options);

        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(options.ResolveAddress(), options.Port, listen => listen.Protocols = HttpProtocols.Http2));

        services.AddKubeMeshEventRecorder("kubelet", options.NodeName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new ContainerRuntimeOptions
        {
            StateDirectory = options.StateDirectory,
            ClusterDns = options.ClusterDns,
            ClusterDomain = options.ClusterDomain,
            Cgroups = options.Cgroups,
        });
        services.AddSingleton(new ImageRegistryOptions());
        services.AddSingleton<ImageRegistry>();
        services.AddSingleton(new ContainerLogStore(Path.Combine(options.StateDirectory, "logs")));
        services.AddSingleton<ProcessContainerRuntime>();
        services.AddSingleton<IContainerRuntime>(sp => sp.GetRequiredService<ProcessContainerRuntime>());
        services.AddSingleton(new PodIpAllocator(options.ResolvePodRange(), options.StateDirectory));
        services.AddSingleton<NodeAllocatable>();
        services.AddSingleton<EnvironmentResolver>();
        services.AddSingleton<VolumeManager>();
        services.AddSingleton<PodWorkerContext>();
        services.AddSingleton<PodManager>();
        services.AddHostedService(sp => sp.GetRequiredService<PodManager>());

        services.AddSingleton<NodeObjectBuilder>();
        services.AddSingleton<NodeRegistration>();
        services.AddHostedService<NodeStatusReporter>();
        services.AddHostedService<NodeLeaseController>();

        builder.AddGrpcServer();
        return builder;
    }

    public static WebApplication MapKubelet(this WebApplication app)
    {
        app.MapGrpcService<KubeletServer>();
        return app;
    }
}
