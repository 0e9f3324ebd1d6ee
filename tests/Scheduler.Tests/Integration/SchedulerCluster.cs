using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;
using KubeMesh.Scheduler.Cache;
using KubeMesh.Scheduler.Extensions;
using KubeMesh.Scheduler.Queue;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Scheduler.Tests.Integration;

/// <summary>
/// A real api-server (its own key prefix in the shared redis-server) and the scheduler wired as Program.cs wires
/// it, both in this process; the test talks to the api-server over gRPC like any user would.
/// </summary>
internal sealed class SchedulerCluster : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly ApiServerHost _api;
    private readonly IHost _scheduler;

    private SchedulerCluster(ApiServerHost api, IHost scheduler, KubeMeshClient client)
    {
        _api = api;
        _scheduler = scheduler;
        Client = client;
    }

    public KubeMeshClient Client { get; }

    public ResourceClient<Pod> Pods => Client.For<Pod>();

    public ResourceClient<Node> Nodes => Client.For<Node>();

    public SchedulerCache Cache => _scheduler.Services.GetRequiredService<SchedulerCache>();

    public SchedulingQueue Queue => _scheduler.Services.GetRequiredService<SchedulingQueue>();

    public static async Task<SchedulerCluster> StartAsync(RedisServer redis)
    {
        var api = await ApiServerHost.StartAsync(redis.ConnectionString);
        var address = api.Address;

        // No defaults: neither appsettings.json nor KUBEMESH_SERVER from the environment may leak in.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Scheduler:PodInitialBackoff"] = "00:00:00.2",
            ["Scheduler:PodMaxBackoff"] = "00:00:01",
        });
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddKubeMeshClient(address);
        builder.AddScheduler();
        var scheduler = builder.Build();
        using var timeout = new CancellationTokenSource(Timeout);
        await scheduler.StartAsync(timeout.Token);
        var cluster = new SchedulerCluster(api, scheduler, scheduler.Services.GetRequiredService<KubeMeshClient>());
        await Eventually.Until(() => Task.FromResult(scheduler.Services.GetRequiredService<SchedulerReadiness>().IsSynced), Timeout, "the scheduler's informers to sync");
        return cluster;
    }

    /// <summary>Creates the nodes and waits until the scheduler's cache holds all of them, so pods see the whole cluster.</summary>
    public async Task CreateNodesAsync(params Node[] nodes)
    {
        foreach (var node in nodes)
        {
            await Nodes.CreateAsync(node);
        }

        await Eventually.Until(() => Task.FromResult(Cache.NodeCount == nodes.Length), Timeout, $"the scheduler to see {nodes.Length} nodes");
    }

    public async Task<Pod> WaitForBindingAsync(string name, TimeSpan? timeout = null)
    {
        Pod? pod = null;
        await Eventually.Until(
            async () => !string.IsNullOrEmpty((pod = await Pods.GetAsync("default", name)).Spec.NodeName),
            timeout ?? Timeout,
            $"pod {name} to be bound");
        return pod!;
    }

    public async Task<IReadOnlyList<Event>> EventsAsync(string podName, string reason)
    {
        var events = await Client.For<Event>().ListAsync(new ListRequest { Namespace = "default" });
        return [.. events.Items.Where(e => e.InvolvedObject.Name == podName && e.Reason == reason)];
    }

    public async Task<Event> WaitForEventAsync(string podName, string reason, string message)
    {
        Event? found = null;
        await Eventually.Until(
            async () => (found = (await EventsAsync(podName, reason)).FirstOrDefault(e => e.Message == message)) is not null,
            Timeout,
            $"a {reason} event for {podName} saying \"{message}\"");
        return found!;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await _scheduler.StopAsync(timeout.Token);
        _scheduler.Dispose();
        await _api.DisposeAsync();
    }
}
