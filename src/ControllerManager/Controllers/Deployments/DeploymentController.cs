using Grpc.Core;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Selectors;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.Common;

namespace KubeMesh.ControllerManager.Controllers.Deployments;

/// <summary>
/// Rolls Deployments out through ReplicaSets (pkg/controller/deployment): one ReplicaSet per pod template, scaled
/// up and down by the RollingUpdate or Recreate strategy, with revisions, history cleanup and conditions.
/// </summary>
public sealed class DeploymentController : Controller<string>
{
    private readonly Lister<Deployment> _deployments;
    private readonly Lister<ReplicaSet> _replicaSets;
    private readonly Lister<Pod> _pods;
    private readonly ResourceClient<ReplicaSet> _rsClient;
    private readonly ResourceClient<Deployment> _deploymentClient;

    public DeploymentController(ControllerContext context)
        : base(context, "Deployment", defaultWorkers: 5)
    {
        _rsClient = context.Client.For<ReplicaSet>();
        _deploymentClient = context.Client.For<Deployment>();
        var deploymentInformer = InformerFor<Deployment>();
        var rsInformer = InformerFor<ReplicaSet>();
        var podInformer = InformerFor<Pod>();
        ControllerIndex.AddTo(rsInformer);
        ControllerIndex.AddTo(podInformer);
        _deployments = deploymentInformer.Lister;
        _replicaSets = rsInformer.Lister;
        _pods = podInformer.Lister;
        AddEventHandler(
            deploymentInformer,
            onAdd: d => Queue.Add(MetaNamespaceKey.For(d.Metadata)),
            onUpdate: (_, d) => Queue.Add(MetaNamespaceKey.For(d.Metadata)),
            onDelete: d => Queue.Add(MetaNamespaceKey.For(d.Metadata)));
        AddEventHandler(rsInformer, onAdd: AddReplicaSet, onUpdate: UpdateReplicaSet, onDelete: EnqueueOwner);
        AddEventHandler(podInformer, onDelete: DeletePod);
    }

    protected internal override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = MetaNamespaceKey.Split(key);
        var cached = _deployments.Get(ns, name);
        if (cached is null)
        {
            return;
        }

        var d = cached.Clone();
        var selector = LabelSelectorExpression.FromProto(d.Spec?.Selector);
        if (selector.IsEverything)
        {
            Recorder.Event(d, EventTypes.Warning, "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.");
            if (d.Status is null || d.Status.ObservedGeneration < d.Metadata.Generation)
            {
                d.Status ??= new DeploymentStatus();
                d.Status.ObservedGeneration = d.Metadata.Generation;
                await _deploymentClient.UpdateStatusAsync(d, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var claimer = new ControllerRefManager<ReplicaSet>(_rsClient, d, selector, _deploymentClient.Untyped);
        var replicaSets = await claimer.ClaimAsync(ControllerIndex.OwnedOrOrphaned(_replicaSets, d.Metadata), cancellationToken).ConfigureAwait(false);
        var pods = replicaSets.SelectMany(rs => ControllerIndex.Owned(_pods, rs.Metadata.Uid)).ToList();
        var sync = new DeploymentSync(d, replicaSets, pods, Context.Client, Recorder, Now, after => Queue.AddAfter(key, after));
        await sync.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    private Deployment? ResolveControllerRef(string ns, Api.Meta.V1.OwnerReference? reference)
    {
        if (reference is null || reference.Kind != ResourceKinds.Deployment.Kind)
        {
            return null;
        }

        var d = _deployments.Get(ns, reference.Name);
        return d?.Metadata.Uid == reference.Uid ? d : null;
    }

    private void AddReplicaSet(ReplicaSet rs)
    {
        if (OwnerReferences.ControllerOf(rs.Metadata) is not null)
        {
            EnqueueOwner(rs);
            return;
        }

        foreach (var d in _deployments.List(rs.Metadata.Namespace))
        {
            if (LabelSelectorExpression.FromProto(d.Spec?.Selector).Matches(rs.Metadata.Labels))
            {
                Queue.Add(MetaNamespaceKey.For(d.Metadata));
            }
        }
    }

    private void UpdateReplicaSet(ReplicaSet old, ReplicaSet rs)
    {
        if (old.Metadata.ResourceVersion == rs.Metadata.ResourceVersion)
        {
            return;
        }

        if (!Equals(OwnerReferences.ControllerOf(old.Metadata), OwnerReferences.ControllerOf(rs.Metadata)))
        {
            EnqueueOwner(old);
        }

        if (OwnerReferences.ControllerOf(rs.Metadata) is not null)
        {
            EnqueueOwner(rs);
        }
        else if (!old.Metadata.Labels.Equals(rs.Metadata.Labels) || OwnerReferences.ControllerOf(old.Metadata) is not null)
        {
            AddReplicaSet(rs);
        }
    }

    private void EnqueueOwner(ReplicaSet rs)
    {
        if (ResolveControllerRef(rs.Metadata.Namespace, OwnerReferences.ControllerOf(rs.Metadata)) is { } d)
        {
            Queue.Add(MetaNamespaceKey.For(d.Metadata));
        }
    }

    /// <summary>Recreate waits for old pods to be gone: their deletion may be what it waits for.</summary>
    private void DeletePod(Pod pod)
    {
        if (OwnerReferences.ControllerOf(pod.Metadata) is { Kind: "ReplicaSet" } owner &&
            _replicaSets.Get(pod.Metadata.Namespace, owner.Name) is { } rs && rs.Metadata.Uid == owner.Uid)
        {
            EnqueueOwner(rs);
        }
    }
}
