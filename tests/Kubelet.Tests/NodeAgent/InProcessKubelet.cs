using System.Globalization;
using System.Net;
using KubeMesh.Client;
using KubeMesh.Kubelet.Extensions;
using KubeMesh.Api.Core.V1;
using KubeMesh.Kubelet.Pods;
using KubeMesh.Kubelet.Runtime;
using KubeMesh.Kubelet.Volumes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Kubelet.Tests.NodeAgent;

/// <summary>
/// A kubelet hosted in this process as Program.cs wires it, with short back-off and heartbeat periods. Stopping
/// it stops its containers (in its own process the runtime's pdeathsig would).
/// </summary>
public sealed class InProcessKubelet : IAsyncDisposable
{
    private WebApplication? _app;

    private InProcessKubelet(string nodeName, int nodeIndex, int port, string stateDirectory)
    {
        NodeName = nodeName;
        NodeIndex = nodeIndex;
        Port = port;
        StateDirectory = stateDirectory;
    }

    public string NodeName { get; }

    public int NodeIndex { get; }

    public int Port { get; }

    public string StateDirectory { get; }

    /// <summary>More Kubelet:* settings (or overrides) for this node, set before it starts.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    public IPAddress Address => IPAddress.Parse($"127.10.{NodeIndex}.1");

    public PodManager Pods => _app!.Services.GetRequiredService<PodManager>();

    public IContainerRuntime Runtime => _app!.Services.GetRequiredService<IContainerRuntime>();

    public ConfigSourceWatch Sources => _app!.Services.GetRequiredService<ConfigSourceWatch>();

    /// <summary>Runs a command in a running container of a pod on this node (as kubectl exec would).</summary>
    public async Task<ExecResult> ExecAsync(Pod pod, string container, params string[] command)
    {
        var slot = Pods.Find(pod.Metadata.Namespace, pod.Metadata.Name)?.FindContainer(container)
            ?? throw new InvalidOperationException($"no container {container} of pod {pod.Metadata.Name} on {NodeName}");
        var handle = slot.Handle ?? throw new InvalidOperationException($"container {container} is not running");
        return await Runtime.ExecAsync(handle, command, TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// A node with an ordinal in 100..249 (so its 127.10.n.0/24 range meets no AppHost node) that no other kubelet of
    /// this test process has had, and a fresh state directory; pass <paramref name="nodeIndex"/> to come back as a node
    /// that was started before. Two kubelets of one name on one api-server would overwrite each other's Node: the
    /// api-server would then send logs and exec to whichever wrote last, even after it is gone.
    /// </summary>
    public static InProcessKubelet Create(string? stateDirectory = null, int? nodeIndex = null)
    {
        var index = nodeIndex ?? UnusedIndex();
        var address = IPAddress.Parse($"127.10.{index}.1");
        return new InProcessKubelet("node-t" + index, index, FreePort.Get(address),
            stateDirectory ?? Directory.CreateTempSubdirectory("kubelet-node-").FullName);
    }

    private static readonly Lock IndexLock = new();
    private static readonly HashSet<int> UsedIndexes = [];

    private static int UnusedIndex()
    {
        lock (IndexLock)
        {
            var free = Enumerable.Range(100, 150).Where(i => !UsedIndexes.Contains(i)).ToArray();
            if (free.Length == 0)
            {
                throw new InvalidOperationException("every node ordinal 100..249 has been used by this test process");
            }

            var index = free[Random.Shared.Next(free.Length)];
            UsedIndexes.Add(index);
            return index;
        }
    }

    public async Task StartAsync(string apiServer)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = Path.GetTempPath() });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [KubeMeshClient.AddressConfigurationKey] = apiServer,
            ["Kubelet:NodeName"] = NodeName,
            ["Kubelet:NodeIndex"] = NodeIndex.ToString(CultureInfo.InvariantCulture),
            ["Kubelet:Port"] = Port.ToString(CultureInfo.InvariantCulture),
            ["Kubelet:StateDirectory"] = StateDirectory,
            ["Kubelet:BackOffInitial"] = "00:00:00.500",
            ["Kubelet:BackOffMax"] = "00:00:02",
            ["Kubelet:NodeLeaseRenewInterval"] = "00:00:01",
            ["Kubelet:NodeStatusReportFrequency"] = "00:00:02",
        });
        builder.Configuration.AddInMemoryCollection(Settings);
        builder.Logging.ClearProviders();
        builder.Services.AddKubeMeshClient(builder.Configuration);
        builder.AddKubelet();
        _app = builder.Build();
        _app.MapKubelet();
        await _app.StartAsync();
    }

    public async Task StopAsync()
    {
        if (_app is null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        _app = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
    }
}
