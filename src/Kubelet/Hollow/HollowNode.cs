using KubeMesh.Client;
using KubeMesh.Client.Credentials;
using KubeMesh.Kubelet.Extensions;
using KubeMesh.Kubelet.Pods;
using KubeMesh.Kubelet.Probes;
using KubeMesh.Kubelet.Runtime;
using KubeMesh.Kubelet.Runtime.Hollow;
using KubeMesh.Kubelet.Volumes;

namespace KubeMesh.Kubelet.Hollow;

/// <summary>
/// One hollow node agent: the real kubelet's parts (<see cref="KubeletServiceCollectionExtensions.AddKubeletNode"/>:
/// registration, Lease and status heartbeats, its own pod watch, pod workers, volumes, events) in a container of its
/// own, over the hollow runtime. What it shares with the other nodes of the process is passed in: the loggers, the
/// clock, the runtime settings and, unless the node has credentials of its own, the api-server channel and the
/// ConfigMap and Secret watch. A node with its own kubeconfig (Kubelet:Hollow:KubeconfigDirectory) calls the
/// api-server as itself, system:node:NAME, over a channel and with watches of its own, as each kubemark hollow node
/// does, so the Node authorizer and NodeRestriction hold it to what its own pods use.
/// </summary>
public sealed class HollowNode : IAsyncDisposable
{
    /// <summary>The label and taint key hollow nodes register with.</summary>
    public const string Label = "kubemesh.io/hollow";

    private readonly ServiceProvider _services;
    private readonly IHostedService[] _agents;
    private int _state;

    private HollowNode(string name, ServiceProvider services)
    {
        Name = name;
        _services = services;
        _agents = [.. services.GetServices<IHostedService>()];
        Runtime = services.GetRequiredService<HollowContainerRuntime>();
        Pods = services.GetRequiredService<PodManager>();
    }

    public string Name { get; }

    public HollowContainerRuntime Runtime { get; }

    public PodManager Pods { get; }

    /// <param name="connection">The node's own api-server connection and credentials; null to share the process's.</param>
    public static HollowNode Create(KubeletOptions options, HollowRuntimeOptions runtime, IServiceProvider shared, ApiServerConnection? connection = null)
    {
        var services = new ServiceCollection();
        if (connection is null)
        {
            services.AddSingleton(shared.GetRequiredService<KubeMeshClient>());
            services.AddSingleton(shared.GetRequiredService<ConfigSourceWatch>());
        }
        else
        {
            // Built by the node's container, so disposed with it.
            services.AddSingleton(_ => KubeMeshClient.Create(connection));
            services.AddSingleton<ConfigSourceWatch>();
        }

        services.AddSingleton(shared.GetRequiredService<ILoggerFactory>());
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton(shared.GetRequiredService<TimeProvider>());
        services.AddSingleton(runtime);
        services.AddKubeletNode(options);
        services.AddSingleton<HollowContainerRuntime>();
        services.AddSingleton<IContainerRuntime>(sp => sp.GetRequiredService<HollowContainerRuntime>());
        services.AddSingleton<IProbeRunner, HollowProbeRunner>();
        return new HollowNode(options.NodeName, services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }));
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException($"hollow node {Name} was already started");
        }

        foreach (var agent in _agents)
        {
            await agent.StartAsync(cancellationToken);
        }
    }

    /// <summary>Stops heartbeats, the pod watch and the pod workers, as a kubelet that is shut down; the node object stays.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, 2, 1) != 1)
        {
            return;
        }

        await Task.WhenAll(_agents.Reverse().Select(a => a.StopAsync(cancellationToken)));
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await StopAsync(timeout.Token);
        await _services.DisposeAsync();
    }
}
