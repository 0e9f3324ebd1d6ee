using System.Collections.Concurrent;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client;
using KubeMesh.Kubelet.Runtime;
using KubeMesh.Kubelet.Volumes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KubeMesh.Kubelet.Pods;

/// <summary>
/// Watches the pods bound to this node (field selector spec.nodeName=&lt;node&gt;) and hands each to its own
/// <see cref="PodWorker"/>, keyed by uid, as the kubelet's pod manager and pod workers do. The watch is this node's
/// own and lives as long as the node agent, so a hollow node stopped in a shared process stops watching too.
/// </summary>
public sealed class PodManager(
    KubeMeshClient client, ConfigSourceWatch sources, PodWorkerContext context, IContainerRuntime runtime,
    IOptions<KubeletOptions> options, ILoggerFactory loggers) : BackgroundService
{
    private readonly ConcurrentDictionary<string, PodWorker> _workers = new();
    private readonly ILogger _logger = loggers.CreateLogger<PodManager>();

    /// <summary>The worker running the pod <paramref name="namespace"/>/<paramref name="name"/> on this node, if any.</summary>
    public PodWorker? Find(string @namespace, string name) =>
        _workers.Values.Where(w => w.Pod.Metadata.Namespace == @namespace && w.Pod.Metadata.Name == name)
            .OrderBy(w => w.Pod.Metadata.DeletionTimestamp is null ? 0 : 1)
            .FirstOrDefault();

    public IReadOnlyCollection<PodWorker> Workers => [.. _workers.Values];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Containers left by an earlier run die before any pod is synced, so none is ever doubled.
        await runtime.InitializeAsync(stoppingToken);
        context.Metrics.TrackPods(() => Workers);
        var informer = new Informer<Pod>(
            client.For<Pod>(), new InformerOptions { FieldSelector = "spec.nodeName=" + options.Value.NodeName }, loggers.CreateLogger<Informer<Pod>>());
        informer.AddEventHandler(onAdd: Dispatch, onUpdate: (_, pod) => Dispatch(pod), onDelete: pod =>
        {
            if (_workers.TryGetValue(pod.Metadata.Uid, out var worker))
            {
                worker.Remove();
            }
        });

        // Mounted ConfigMaps and Secrets are followed so their files change within seconds of the objects.
        using var subscription = sources.Subscribe(SourceChanged);
        var running = informer.RunAsync(stoppingToken);
        try
        {
            await informer.WaitForCacheSyncAsync(stoppingToken);
            KubeletLog.PodsSynced(_logger, options.Value.NodeName, informer.Lister.ListKeys().Count);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await running;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await Task.WhenAll(_workers.Values.Select(w => w.ShutdownAsync(TimeSpan.FromSeconds(5))));
    }

    private void SourceChanged(string kind, string @namespace, string name)
    {
        foreach (var worker in _workers.Values.Where(w => w.Pod.Metadata.Namespace == @namespace && VolumeManager.References(w.Pod, kind, name)))
        {
            worker.SourceChanged();
        }
    }

    private void Dispatch(Pod pod)
    {
        if (_workers.TryGetValue(pod.Metadata.Uid, out var existing))
        {
            existing.Update(pod);
            return;
        }

        var worker = new PodWorker(pod, context);
        if (_workers.TryAdd(pod.Metadata.Uid, worker))
        {
            KubeletLog.PodAdded(_logger, pod.Metadata.Namespace, pod.Metadata.Name, pod.Metadata.Uid);

            // The ConfigMaps and Secrets the pod mounts are watched from admission until its worker is done.
            var registration = sources.Register(pod);
            worker.Start();
            _ = worker.Completion.ContinueWith(
                _ =>
                {
                    _workers.TryRemove(KeyValuePair.Create(pod.Metadata.Uid, worker));
                    registration.Dispose();
                },
                TaskScheduler.Default);
        }
    }
}
