using Grpc.Core;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Selectors;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.Common;

namespace KubeMesh.ControllerManager.Controllers.ReplicaSets;

/// <summary>
/// Keeps spec.replicas active pods matching each ReplicaSet's selector (pkg/controller/replicaset): claims pods,
/// creates or deletes the difference, then writes status. Expectations keep a lagging cache from causing
/// duplicate creates or deletes.
/// </summary>
public sealed class ReplicaSetController : Controller<string>
{
    // kube's burstReplicas: the most pods created or deleted in one sync.
    private const int BurstReplicas = 500;

    private readonly Lister<ReplicaSet> _replicaSets;
    private readonly Lister<Pod> _pods;
    private readonly ResourceClient<ReplicaSet> _rsClient;
    private readonly ResourceClient<Pod> _podClient;
    private readonly ControllerExpectations _expectations;
    private readonly PodControl _podControl;

    public ReplicaSetController(ControllerContext context)
        : base(context, "ReplicaSet", defaultWorkers: 5)
    {
        _rsClient = context.Client.For<ReplicaSet>();
        _podClient = context.Client.For<Pod>();
        _expectations = new ControllerExpectations(context.Time);
        _podControl = new PodControl(_podClient, Recorder, _expectations);
        var rsInformer = InformerFor<ReplicaSet>();
        var podInformer = InformerFor<Pod>();
        ControllerIndex.AddTo(podInformer);
        _replicaSets = rsInformer.Lister;
        _pods = podInformer.Lister;
        AddEventHandler(
            rsInformer,
            onAdd: rs => Queue.Add(MetaNamespaceKey.For(rs.Metadata)),
            onUpdate: (_, rs) => Queue.Add(MetaNamespaceKey.For(rs.Metadata)),
            onDelete: rs =>
            {
                var key = MetaNamespaceKey.For(rs.Metadata);
                _expectations.Delete(key);
                Queue.Add(key);
            });
        AddEventHandler(podInformer, onAdd: AddPod, onUpdate: UpdatePod, onDelete: DeletePod);
    }

    protected internal override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = MetaNamespaceKey.Split(key);
        var rs = _replicaSets.Get(ns, name);
        if (rs is null)
        {
            _expectations.Delete(key);
            return;
        }

        var needsSync = _expectations.Satisfied(key);
        var selector = LabelSelectorExpression.FromProto(rs.Spec?.Selector);
        var candidates = ControllerIndex.OwnedOrOrphaned(_pods, rs.Metadata).Where(PodConditions.IsActive);
        var claimer = new ControllerRefManager<Pod>(_podClient, rs, selector, _rsClient.Untyped);
        var pods = await claimer.ClaimAsync(candidates, cancellationToken).ConfigureAwait(false);

        Exception? manageError = null;
        if (needsSync && rs.Metadata.DeletionTimestamp is null)
        {
            try
            {
                await ManageReplicasAsync(pods, rs, key, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                manageError = e;
            }
        }

        var status = ReplicaSetStatusCalculator.Calculate(rs, pods, Now);
        await _rsClient.UpdateStatusIfChangedAsync(rs, status, cancellationToken).ConfigureAwait(false);

        // Pods that are ready but not yet available become available without any event: look again then.
        var minReady = rs.Spec?.MinReadySeconds ?? 0;
        if (manageError is null && minReady > 0 && status.ReadyReplicas == Replicas(rs) && status.AvailableReplicas != Replicas(rs))
        {
            Queue.AddAfter(key, TimeSpan.FromSeconds(minReady));
        }

        if (manageError is not null)
        {
            throw manageError;
        }
    }

    private static int Replicas(ReplicaSet rs) => rs.Spec?.HasReplicas == true ? rs.Spec.Replicas : 1;

    private async Task ManageReplicasAsync(List<Pod> pods, ReplicaSet rs, string key, CancellationToken cancellationToken)
    {
        var diff = pods.Count - Replicas(rs);
        if (diff < 0)
        {
            await _podControl.CreatePodsAsync(
                rs, key, Math.Min(-diff, BurstReplicas), _ => PodTemplates.NewPod(rs.Spec!.Template, rs.Metadata, ResourceKinds.ReplicaSet), cancellationToken).ConfigureAwait(false);
        }
        else if (diff > 0)
        {
            var victims = pods.Order(ActivePodsComparer.Instance).Take(Math.Min(diff, BurstReplicas)).ToList();
            await _podControl.DeletePodsAsync(rs, key, victims, cancellationToken).ConfigureAwait(false);
        }
    }

    private ReplicaSet? ResolveControllerRef(Pod pod)
    {
        var reference = OwnerReferences.ControllerOf(pod.Metadata);
        if (reference is null || reference.Kind != ResourceKinds.ReplicaSet.Kind)
        {
            return null;
        }

        var rs = _replicaSets.Get(pod.Metadata.Namespace, reference.Name);
        return rs?.Metadata.Uid == reference.Uid ? rs : null;
    }

    private void EnqueueMatchingReplicaSets(Pod pod)
    {
        foreach (var rs in _replicaSets.List(pod.Metadata.Namespace))
        {
            if (LabelSelectorExpression.FromProto(rs.Spec?.Selector).Matches(pod.Metadata.Labels))
            {
                Queue.Add(MetaNamespaceKey.For(rs.Metadata));
            }
        }
    }

    internal void AddPod(Pod pod)
    {
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            DeletePod(pod);
            return;
        }

        if (OwnerReferences.ControllerOf(pod.Metadata) is not null)
        {
            if (ResolveControllerRef(pod) is { } rs)
            {
                var key = MetaNamespaceKey.For(rs.Metadata);
                _expectations.CreationObserved(key);
                Queue.Add(key);
            }

            return;
        }

        EnqueueMatchingReplicaSets(pod);
    }

    internal void UpdatePod(Pod old, Pod pod)
    {
        if (old.Metadata.ResourceVersion == pod.Metadata.ResourceVersion)
        {
            return;
        }

        var labelsChanged = !old.Metadata.Labels.Equals(pod.Metadata.Labels);
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            DeletePod(pod);
            if (labelsChanged)
            {
                DeletePod(old);
            }

            return;
        }

        var oldRef = OwnerReferences.ControllerOf(old.Metadata);
        var newRef = OwnerReferences.ControllerOf(pod.Metadata);
        var refChanged = !Equals(oldRef, newRef);
        if (refChanged && oldRef is not null && ResolveControllerRef(old) is { } oldRs)
        {
            Queue.Add(MetaNamespaceKey.For(oldRs.Metadata));
        }

        if (newRef is not null)
        {
            if (ResolveControllerRef(pod) is { } rs)
            {
                var key = MetaNamespaceKey.For(rs.Metadata);
                Queue.Add(key);
                var minReady = rs.Spec?.MinReadySeconds ?? 0;
                if (minReady > 0 && !PodConditions.IsReady(old) && PodConditions.IsReady(pod))
                {
                    Queue.AddAfter(key, TimeSpan.FromSeconds(minReady + 1));
                }
            }

            return;
        }

        if (labelsChanged || refChanged)
        {
            EnqueueMatchingReplicaSets(pod);
        }
    }

    internal void DeletePod(Pod pod)
    {
        if (ResolveControllerRef(pod) is { } rs)
        {
            var key = MetaNamespaceKey.For(rs.Metadata);
            _expectations.DeletionObserved(key, MetaNamespaceKey.For(pod.Metadata));
            Queue.Add(key);
        }
    }
}
