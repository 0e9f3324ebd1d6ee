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
/// <see cref="PodWorker"/>, keyed by uid, as the kubelet's pod manager and pod workers do.
/// </summary>
public sealed class PodManager(
    SharedInformerFactory informers, PodWorkerContext context, ProcessContainerRuntime runtime,
    IOptions<KubeletOptions> options, ILogger<PodManager> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, PodWorker> _workers = new();

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
        var informer = informers.GetInformer<Pod>(new InformerOptions { FieldSelector = "spec.nodeName=" + options.Value.NodeName });
        informer.AddEventHandler(onAdd: Dispatch, onUpdate: (_, pod) => Dispatch(pod), onDelete: pod =>
        {
            if (_workers.TryGetValue(pod.Metadata.Uid, out var worker))
            {
                worker.Remove();
            }
        });
        // Mounted ConfigMaps and Secrets are followed so their files change within seconds of the objects.
        informers.GetInformer<ConfigMap>().AddEventHandler(onAdd: SourceChanged, onUpdate: (_, c) => SourceChanged(c), onDelete: SourceChanged);
        informers.GetInformer<Secret>().AddEventHandler(onAdd: SourceChanged, onUpdate: (_, s) => SourceChanged(s), onDelete: SourceChanged);
        informers.Start();
        await informer.WaitForCacheSyncAsync(stoppingToken);
        KubeletLog.PodsSynced(logger, options.Value.NodeName, informer.Lister.ListKeys().Count);
        await Task.Delay(Timeout.Infinite, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await Task.WhenAll(_workers.Values.Select(w => w.ShutdownAsync(TimeSpan.FromSeconds(5))));
    }

    private void SourceChanged(ConfigMap configMap) => SourceChanged("ConfigMap", configMap.Metadata.Namespace, configMap.Metadata.Name);

    private void SourceChanged(Secret secret) => SourceChanged("Secret", secret.Metadata.Namespace, secret.Metadata.Name);

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
            KubeletLog.PodAdded(logger, pod.Metadata.Namespace, pod.Metadata.Name, pod.Metadata.Uid);
            worker.Start();
            _ = worker.Completion.ContinueWith(_ => _workers.TryRemove(KeyValuePair.Create(pod.Metadata.Uid, worker)), TaskScheduler.Default);
        }
    }
}
