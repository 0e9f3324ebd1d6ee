using KubeMesh.Client;
using KubeMesh.Kubelet.Hollow;
using KubeMesh.Kubelet.Images;
using KubeMesh.Kubelet.Metrics;
using KubeMesh.Kubelet.Nodes;
using KubeMesh.Kubelet.Pods;
using KubeMesh.Kubelet.Probes;
using KubeMesh.Kubelet.Runtime;
using KubeMesh.Kubelet.Server;
using KubeMesh.Kubelet.Token;
using KubeMesh.Kubelet.Volumes;
using KubeMesh.ServiceDefaults.Tls;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KubeMesh.Kubelet.Extensions;

public static class KubeletServiceCollectionExtensions
{
    /// <summary>
    /// The node agent: node registration and heartbeats, pod workers over the process runtime, and the kubelet's
    /// gRPC endpoint on the node's InternalIP and Kubelet:Port (cleartext HTTP/2, what the node status publishes).
    /// With Kubelet:Hollow:Nodes set, the process runs that many hollow node agents instead (see <see cref="HollowNodeSet"/>).
    /// Expects a <see cref="KubeMeshClient"/> registered (AddKubeMeshClient).
    /// </summary>
    public static WebApplicationBuilder AddKubelet(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(KubeletOptions.Section);
        var options = section.Get<KubeletOptions>() ?? new KubeletOptions();
        options.StateDirectory = Path.GetFullPath(options.StateDirectory);
        var hollow = HollowNodeOptions.From(builder.Configuration);
        if (hollow.Nodes > 0)
        {
            return builder.AddHollowNodes(options, hollow);
        }

        var tls = builder.Configuration.ServingTls(KubeletTlsOptions.Section);
        if (tls.Enabled && string.IsNullOrWhiteSpace(tls.ClientCaFile))
        {
            throw new InvalidOperationException($"{KubeletTlsOptions.Section}:ClientCaFile: required when {KubeletTlsOptions.Section}:CertFile is set (the kubelet API answers only the api-server)");
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(options.ResolveAddress(), options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (tls.Enabled)
                {
                    listen.UseHttps(https => https.UseServingTls(tls, ClientCertificateMode.RequireCertificate));
                }
            }));
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ConfigSourceWatch>();
        services.AddKubeletNode(options);
        services.AddSingleton<ServiceEnvironment>();
        services.AddSingleton(new ContainerRuntimeOptions
        {
            StateDirectory = options.StateDirectory,
            ClusterDns = options.ClusterDns,
            ClusterDomain = options.ClusterDomain,
            Cgroups = options.Cgroups,
        });
        services.AddSingleton<ProcessContainerRuntime>();
        services.AddSingleton<IContainerRuntime>(sp => sp.GetRequiredService<ProcessContainerRuntime>());
        services.AddSingleton<IProbeRunner>(sp => new ProbeRunner(sp.GetRequiredService<IContainerRuntime>()));
        services.AddSingleton(builder.Configuration.GetSection(KubeletTlsOptions.Section).Get<KubeletTlsOptions>() ?? new KubeletTlsOptions());
        builder.AddGrpcServer(grpc =>
        {
            if (tls.Enabled)
            {
                grpc.Interceptors.Add<KubeletClientAuthorizer>();
            }
        });

        return builder;
    }

    /// <summary>
    /// One node agent's parts, whatever its runtime: registration, Lease and status heartbeats, pod manager and workers,
    /// volumes, images, pod IPs and events. The caller adds an <see cref="IContainerRuntime"/>, an <see cref="IProbeRunner"/>,
    /// a <see cref="ConfigSourceWatch"/>, a <see cref="TimeProvider"/> and the client.
    /// </summary>
    public static IServiceCollection AddKubeletNode(this IServiceCollection services, KubeletOptions options)
    {
        services.AddSingleton(Options.Create(options));
        services.AddSingleton(options);
        services.AddKubeMeshEventRecorder("kubelet", options.NodeName);
        services.AddSingleton(new ImageRegistryOptions());
        services.AddSingleton<ImageRegistry>();
        services.AddSingleton(new ContainerLogStore(Path.Combine(options.StateDirectory, "logs")));
        services.AddSingleton(new PodIpAllocator(options.ResolvePodRange(), options.StateDirectory));
        services.AddSingleton<NodeAllocatable>();
        services.AddSingleton<EnvironmentResolver>();
        services.AddSingleton<ServiceAccountTokenManager>();
        services.AddSingleton<VolumeManager>();
        services.AddSingleton(sp => new KubeletMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<PodWorkerContext>();
        services.AddSingleton<PodManager>();
        services.AddHostedService(sp => sp.GetRequiredService<PodManager>());

        services.AddSingleton<NodeObjectBuilder>();
        services.AddSingleton<NodeRegistration>();
        services.AddHostedService<NodeStatusReporter>();
        services.AddHostedService<NodeLeaseController>();
        return services;
    }

    public static WebApplication MapKubelet(this WebApplication app)
    {
        // A hollow-node process serves no kubelet endpoint: its containers have no logs and nothing to exec into.
        if (app.Services.GetService<HollowNodeSet>() is null)
        {
            app.MapGrpcService<KubeletServer>();
        }

        return app;
    }
}
