using Grpc.Core;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Selectors;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.Common;
using KubeMesh.ControllerManager.Controllers.History;

namespace KubeMesh.ControllerManager.Controllers.DaemonSets;

/// <summary>
/// Runs one pod of each DaemonSet on every node that should run it (pkg/controller/daemon): creates pods bound to
/// new or newly matching nodes, deletes pods from nodes that left or stopped matching, and rolls a changed
/// template out node by node, at most maxUnavailable nodes without an available pod.
/// </summary>
public sealed partial class DaemonSetController : Controller<string>
{
    private readonly Lister<DaemonSet> _daemonSets;
    private readonly Lister<Pod> _pods;
    private readonly Lister<Node> _nodes;
    private readonly ResourceClient<DaemonSet> _dsClient;
    private readonly ResourceClient<Pod> _podClient;
    private readonly ControllerExpectations _expectations;
    private readonly PodControl _podControl;
    private readonly ControllerHistory _history;

    public DaemonSetController(ControllerContext context)
        : base(context, "DaemonSet", defaultWorkers: 2)
    {
        _dsClient = context.Client.For<DaemonSet>();
        _podClient = context.Client.For<Pod>();
        _expectations = new ControllerExpectations(context.Time);
        _podControl = new PodControl(_podClient, Recorder, _expectations);
        var dsInformer = InformerFor<DaemonSet>();
        var podInformer = InformerFor<Pod>();
        ControllerIndex.AddTo(podInformer);
        var nodeInformer = InformerFor<Node>();
        _history = new ControllerHistory(context.Client.For<ControllerRevision>(), InformerFor<ControllerRevision>().Lister);
        _daemonSets = dsInformer.Lister;
        _pods = podInformer.Lister;
        _nodes = nodeInformer.Lister;
        AddEventHandler(
            dsInformer,
            onAdd: ds => Queue.Add(MetaNamespaceKey.For(ds.Metadata)),
            onUpdate: (_, ds) => Queue.Add(MetaNamespaceKey.For(ds.Metadata)),
            onDelete: ds =>
            {
                var key = MetaNamespaceKey.For(ds.Metadata);
                _expectations.Delete(key);
                Queue.Add(key);
            });
        AddEventHandler(podInformer, onAdd: pod => PodChanged(pod, added: true), onUpdate: (_, pod) => PodChanged(pod, added: false), onDelete: PodDeleted);
        AddEventHandler(nodeInformer, onAdd: _ => EnqueueAll(), onUpdate: (old, node) => NodeUpdated(old, node), onDelete: _ => EnqueueAll());
    }

    protected internal override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = MetaNamespaceKey.Split(key);
        var ds = _daemonSets.Get(ns, name);
        if (ds is null)
        {
            _expectations.Delete(key);
            return;
        }

        var selector = LabelSelectorExpression.FromProto(ds.Spec?.Selector);
        var claimer = new ControllerRefManager<Pod>(_podClient, ds, selector, _dsClient.Untyped);
        var pods = await claimer.ClaimAsync(ControllerIndex.OwnedOrOrphaned(_pods, ds.Metadata).Where(p => !PodConditions.IsTerminating(p)), cancellationToken).ConfigureAwait(false);
        var byNode = pods.GroupBy(p => p.Spec?.NodeName ?? "").ToDictionary(g => g.Key, g => g.ToList());
        var nodes = _nodes.List().ToList();
        var hash = DaemonPods.Hash(ds);

        if (_expectations.Satisfied(key) && ds.Metadata.DeletionTimestamp is null)
        {
            // The template's ControllerRevision is the newest before any pod of it is made (kubectl rollout history|undo).
            var inUse = pods.Select(p => $"{name}-{p.Metadata.Labels.GetValueOrDefault(DaemonPods.RevisionHashLabel)}").ToHashSet();
            await _history.SyncAsync(ds, selector, ds.Spec!.Template, hash, DaemonPods.RevisionHashLabel, ds.Spec.HasRevisionHistoryLimit ? ds.Spec.RevisionHistoryLimit : 10,
                inUse, _dsClient.Untyped, cancellationToken).ConfigureAwait(false);
            var (create, delete) = Plan(ds, nodes, byNode);
            foreach (var failed in delete.Where(p => p.Status?.Phase == "Failed" && !PodConditions.IsTerminating(p)))
            {
                Recorder.Event(ds, EventTypes.Warning, "FailedDaemonPod", $"Found failed daemon pod {failed.Metadata.Namespace}/{failed.Metadata.Name} on node {failed.Spec.NodeName}, will try to kill it");
            }

            if (create.Count == 0 && delete.Count == 0)
            {
                delete = RollingUpdateVictims(ds, nodes, byNode, hash);
            }

            await _podControl.CreateAndDeletePodsAsync(ds, key, create.Count, i => DaemonPods.New(ds, create[i], hash), delete, cancellationToken).ConfigureAwait(false);
        }

        await UpdateStatusAsync(ds, nodes, byNode, hash, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Nodes that need a pod, and pods that must go: on nodes that should not run one, extras, and failed ones.</summary>
    private static (List<string> Create, List<Pod> Delete) Plan(DaemonSet ds, List<Node> nodes, Dictionary<string, List<Pod>> byNode)
    {
        var create = new List<string>();
        var delete = new List<Pod>();
        var nodeNames = nodes.Select(n => n.Metadata.Name).ToHashSet();
        foreach (var node in nodes)
        {
            var podsOnNode = byNode.GetValueOrDefault(node.Metadata.Name) ?? [];
            if (!DaemonPods.ShouldRun(ds, node))
            {
                delete.AddRange(podsOnNode);
                continue;
            }

            // A failed daemon pod is deleted and replaced on a later sync, as kube does.
            delete.AddRange(podsOnNode.Where(p => p.Status?.Phase == "Failed"));
            var running = podsOnNode.Where(p => p.Status?.Phase != "Failed").OrderBy(p => p.Metadata.CreationTimestamp?.ToDateTimeOffset()).ToList();
            if (running.Count == 0 && podsOnNode.Count == 0)
            {
                create.Add(node.Metadata.Name);
            }
            else if (running.Count > 1)
            {
                delete.AddRange(running.Skip(1));
            }
        }

        delete.AddRange(byNode.Where(e => !nodeNames.Contains(e.Key)).SelectMany(e => e.Value));
        return (create, delete);
    }

    /// <summary>
    /// RollingUpdate with maxSurge 0: old pods that are not available go first (they cost nothing); then old
    /// available pods while fewer than maxUnavailable nodes lack an available pod.
    /// </summary>
    private List<Pod> RollingUpdateVictims(DaemonSet ds, List<Node> nodes, Dictionary<string, List<Pod>> byNode, string hash)
    {
        var strategy = ds.Spec?.UpdateStrategy;
        if (strategy is not null && strategy.Type != "RollingUpdate")
        {
            return [];
        }

        var desired = nodes.Where(n => DaemonPods.ShouldRun(ds, n)).ToList();
        var maxUnavailable = Math.Max(1, Deployments.DeploymentUtil.Scaled(strategy?.RollingUpdate?.MaxUnavailable, desired.Count, roundUp: true));
        var minReady = ds.Spec?.MinReadySeconds ?? 0;
        var unavailable = 0;
        var oldAvailable = new List<Pod>();
        var victims = new List<Pod>();
        foreach (var node in desired)
        {
            var pod = byNode.GetValueOrDefault(node.Metadata.Name)?.FirstOrDefault();
            var available = pod is not null && PodConditions.IsAvailable(pod, minReady, Now);
            if (!available)
            {
                unavailable++;
            }

            if (pod is not null && !DaemonPods.IsUpdated(pod, hash))
            {
                (available ? oldAvailable : victims).Add(pod);
            }
        }

        victims.AddRange(oldAvailable.OrderBy(p => p.Spec.NodeName, StringComparer.Ordinal).Take(Math.Max(0, maxUnavailable - unavailable)));
        return victims;
    }

    private async Task UpdateStatusAsync(DaemonSet ds, List<Node> nodes, Dictionary<string, List<Pod>> byNode, string hash, CancellationToken cancellationToken)
    {
        var minReady = ds.Spec?.MinReadySeconds ?? 0;
        var status = new DaemonSetStatus { ObservedGeneration = ds.Metadata.Generation };
        foreach (var node in nodes)
        {
            var pod = byNode.GetValueOrDefault(node.Metadata.Name)?.FirstOrDefault();
            var shouldRun = DaemonPods.ShouldRun(ds, node);
            if (shouldRun)
            {
                status.DesiredNumberScheduled++;
            }

            if (pod is null)
            {
                continue;
            }

            if (!shouldRun)
            {
                status.NumberMisscheduled++;
                continue;
            }

            status.CurrentNumberScheduled++;
            status.NumberReady += PodConditions.IsReady(pod) ? 1 : 0;
            status.NumberAvailable += PodConditions.IsAvailable(pod, minReady, Now) ? 1 : 0;
            status.UpdatedNumberScheduled += DaemonPods.IsUpdated(pod, hash) ? 1 : 0;
        }

        status.NumberUnavailable = status.DesiredNumberScheduled - status.NumberAvailable;
        status.Conditions.Add(ds.Status?.Conditions ?? []);
        await _dsClient.UpdateStatusIfChangedAsync(ds, status, cancellationToken).ConfigureAwait(false);
    }
}
