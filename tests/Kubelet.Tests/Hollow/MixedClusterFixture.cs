using System.Globalization;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.Common;
using KubeMesh.ControllerManager.Controllers.NodeLifecycle;
using KubeMesh.Kubelet.Extensions;
using KubeMesh.Kubelet.Hollow;
using KubeMesh.Kubelet.Tests.NodeAgent;
using KubeMesh.Scheduler;
using KubeMesh.Scheduler.Extensions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KubeMesh.Kubelet.Tests.Hollow;

/// <summary>
/// A small mixed cluster in this process: the api-server over redis-server, the scheduler and the node lifecycle
/// controller as their Program.cs wire them, three real kubelets and one hollow-node host of <see cref="HollowCount"/>
/// nodes, all with heartbeats of a second and a node grace period of a few, so lifecycle changes show within seconds.
/// </summary>
public sealed class MixedClusterFixture : IAsyncLifetime
{
    public const int HollowCount = 20;
    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(4);

    private readonly ApiServerFixture _api = new();
    private readonly List<InProcessKubelet> _real = [];
    private readonly int _network = Random.Shared.Next(130, 250);
    private IHost? _scheduler;
    private NodeLifecycleController? _lifecycle;
    private SharedInformerFactory? _informers;
    private WebApplication? _hollow;
    private string? _hollowState;

    public KubeMeshClient Client => _api.Client;

    public IReadOnlyList<InProcessKubelet> RealNodes => _real;

    /// <summary>Unique per run, so hollow nodes of two runs sharing a machine never meet.</summary>
    public string HollowPrefix { get; } = $"hollow-t{Random.Shared.Next(1000, 10000)}-";

    public string HollowNetwork => $"127.{_network}.0.0/16";

    public HollowNodeSet Hollow => _hollow!.Services.GetRequiredService<HollowNodeSet>();

    public async Task InitializeAsync()
    {
        await _api.InitializeAsync();
        await StartSchedulerAsync();
        await StartNodeLifecycleAsync();
        foreach (var index in Enumerable.Range(100, 150).OrderBy(_ => Random.Shared.Next()).Take(3))
        {
            var kubelet = InProcessKubelet.Create(nodeIndex: index);
            _real.Add(kubelet);
            await kubelet.StartAsync(_api.Address);
        }

        await StartHollowNodesAsync();
        await Eventually.Until(async () => (await ReadyNodesAsync()).Count == HollowCount + 3, TimeSpan.FromSeconds(60), $"{HollowCount} hollow and 3 real nodes are Ready");
    }

    public async Task DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        if (_hollow is not null)
        {
            await _hollow.StopAsync(timeout.Token);
            await _hollow.DisposeAsync();
        }

        foreach (var kubelet in _real)
        {
            await kubelet.DisposeAsync();
            Directory.Delete(kubelet.StateDirectory, recursive: true);
        }

        if (_lifecycle is not null)
        {
            await _lifecycle.StopAsync(timeout.Token);
        }

        if (_informers is not null)
        {
            await _informers.DisposeAsync();
        }

        if (_scheduler is not null)
        {
            await _scheduler.StopAsync(timeout.Token);
            _scheduler.Dispose();
        }

        await _api.DisposeAsync();
        if (_hollowState is not null)
        {
            Directory.Delete(_hollowState, recursive: true);
        }
    }

    public async Task<string> NewNamespaceAsync()
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..10];
        await Client.For<Namespace>().CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = name } });
        return name;
    }

    public async Task<IReadOnlyList<Node>> ReadyNodesAsync() =>
        (await Client.For<Node>().ListAsync(new ListRequest())).Items
            .Where(n => n.Status?.Conditions.Any(c => c is { Type: "Ready", Status: "True" }) == true).ToList();

    private async Task StartSchedulerAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Scheduler:PodInitialBackoff"] = "00:00:00.2",
            ["Scheduler:PodMaxBackoff"] = "00:00:01",
        });
        builder.Logging.ClearProviders();
        builder.Services.AddKubeMeshClient(_api.Address);
        builder.AddScheduler();
        _scheduler = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _scheduler.StartAsync(timeout.Token);
        await Eventually.Until(() => _scheduler.Services.GetRequiredService<SchedulerReadiness>().IsSynced, TimeSpan.FromSeconds(60), "the scheduler's informers have synced");
    }

    private async Task StartNodeLifecycleAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["NodeLifecycle:GracePeriod"] = GracePeriod.ToString("c", CultureInfo.InvariantCulture),
            ["NodeLifecycle:MonitorPeriod"] = "00:00:01",
            ["NodeLifecycle:PodEvictionTimeout"] = "00:10:00",
        }).Build();
        _informers = new SharedInformerFactory(Client, NullLoggerFactory.Instance);
        _lifecycle = new NodeLifecycleController(new ControllerContext(Client, _informers, TimeProvider.System, NullLoggerFactory.Instance, configuration));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _lifecycle.StartAsync(timeout.Token);
    }

    private async Task StartHollowNodesAsync()
    {
        _hollowState = Directory.CreateTempSubdirectory("kubelet-hollow-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = Path.GetTempPath() });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [KubeMeshClient.AddressConfigurationKey] = _api.Address,
            ["Kubelet:StateDirectory"] = _hollowState,
            ["Kubelet:NodeLeaseRenewInterval"] = "00:00:01",
            ["Kubelet:NodeStatusReportFrequency"] = "00:00:02",
            ["Kubelet:Hollow:Nodes"] = HollowCount.ToString(CultureInfo.InvariantCulture),
            ["Kubelet:Hollow:NamePrefix"] = HollowPrefix,
            ["Kubelet:Hollow:PodNetwork"] = HollowNetwork,
            ["Kubelet:Hollow:StartRate"] = "200",
            ["Kubelet:Hollow:CompletionDelay"] = "00:00:00.2",
        });
        builder.Logging.ClearProviders();
        builder.Services.AddKubeMeshClient(builder.Configuration);
        builder.AddKubelet();
        _hollow = builder.Build();
        _hollow.MapKubelet();
        await _hollow.StartAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class MixedClusterCollection : ICollectionFixture<MixedClusterFixture>
{
    public const string Name = "mixed cluster";
}
