using Grpc.Core;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Selectors;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.Common;
using KubeMesh.ControllerManager.Controllers.History;

namespace KubeMesh.ControllerManager.Controllers.StatefulSets;

/// <summary>
/// Keeps pods &lt;set&gt;-0..N-1 with stable identity and storage (pkg/controller/statefulset). OrderedReady creates
/// ordinal i only once 0..i-1 are Running and Ready and removes from the highest ordinal one at a time;
/// Parallel does neither wait. Claims are created before their pod and retained when it goes. RollingUpdate
/// replaces pods of an old revision from the highest ordinal down, one at a time, each back Ready before the next.
/// </summary>
public sealed partial class StatefulSetController : Controller<string>
{
    private readonly Lister<StatefulSet> _sets;
    private readonly Lister<Pod> _pods;
    private readonly ResourceClient<StatefulSet> _setClient;
    private readonly ResourceClient<Pod> _podClient;
    private readonly ResourceClient<PersistentVolumeClaim> _claimClient;
    private readonly ControllerHistory _history;

    public StatefulSetController(ControllerContext context)
        : base(context, "StatefulSet", defaultWorkers: 5)
    {
        _setClient = context.Client.For<StatefulSet>();
        _podClient = context.Client.For<Pod>();
        _claimClient = context.Client.For<PersistentVolumeClaim>();
        var setInformer = InformerFor<StatefulSet>();
        var podInformer = InformerFor<Pod>();
        ControllerIndex.AddTo(podInformer);
        _history = new ControllerHistory(context.Client.For<ControllerRevision>(), InformerFor<ControllerRevision>().Lister);
        _sets = setInformer.Lister;
        _pods = podInformer.Lister;
        AddEventHandler(
            setInformer,
            onAdd: s => Queue.Add(MetaNamespaceKey.For(s.Metadata)),
            onUpdate: (_, s) => Queue.Add(MetaNamespaceKey.For(s.Metadata)),
            onDelete: s => Queue.Add(MetaNamespaceKey.For(s.Metadata)));
        AddEventHandler(podInformer, onAdd: EnqueueOwner, onUpdate: (_, pod) => EnqueueOwner(pod), onDelete: EnqueueOwner);
    }

    protected internal override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = MetaNamespaceKey.Split(key);
        var set = _sets.Get(ns, name);
        if (set?.Spec is null)
        {
            return;
        }

        var selector = LabelSelectorExpression.FromProto(set.Spec.Selector);
        var claimer = new ControllerRefManager<Pod>(_podClient, set, selector, _setClient.Untyped);
        var pods = (await claimer.ClaimAsync(ControllerIndex.OwnedOrOrphaned(_pods, set.Metadata), cancellationToken).ConfigureAwait(false))
            .Where(p => StatefulPods.Ordinal(set, p) >= 0)
            .ToDictionary(p => StatefulPods.Ordinal(set, p));
        var updateRevision = StatefulPods.Revision(set);
        if (set.Metadata.DeletionTimestamp is null)
        {
            // Each template's ControllerRevision, named as the pods' controller-revision-hash (kubectl rollout history|undo).
            var inUse = pods.Values.Select(StatefulPods.RevisionOf).Append(set.Status?.CurrentRevision ?? "").ToHashSet();
            await _history.SyncAsync(set, selector, set.Spec.Template, updateRevision[(name.Length + 1)..], ControllerHistory.HashLabel,
                set.Spec.HasRevisionHistoryLimit ? set.Spec.RevisionHistoryLimit : 10, inUse, _setClient.Untyped, cancellationToken).ConfigureAwait(false);
            await UpdatePodsAsync(set, pods, updateRevision, cancellationToken).ConfigureAwait(false);
        }

        await UpdateStatusAsync(set, [.. pods.Values], updateRevision, cancellationToken).ConfigureAwait(false);
    }

    private static int Replicas(StatefulSet set) => set.Spec?.HasReplicas == true ? set.Spec.Replicas : 1;

    /// <summary>One pass of kube's updateStatefulSet: make ordinals 0..N-1 exist and be ready, remove the rest, then roll.</summary>
    private async Task UpdatePodsAsync(StatefulSet set, Dictionary<int, Pod> pods, string updateRevision, CancellationToken cancellationToken)
    {
        var ordered = set.Spec!.PodManagementPolicy != "Parallel";
        var replicas = Replicas(set);
        for (var ordinal = 0; ordinal < replicas; ordinal++)
        {
            if (!pods.TryGetValue(ordinal, out var pod))
            {
                await CreatePodAsync(set, ordinal, updateRevision, cancellationToken).ConfigureAwait(false);
                if (ordered)
                {
                    return;
                }

                continue;
            }

            if (pod.Status?.Phase == "Failed" && !PodConditions.IsTerminating(pod))
            {
                // A failed pod is deleted and recreated with the same identity and claims.
                Recorder.Event(set, EventTypes.Warning, "RecreatingFailedPod", $"StatefulSet {set.Metadata.Namespace}/{set.Metadata.Name} is recreating failed Pod {pod.Metadata.Name}");
                await DeletePodAsync(set, pod, cancellationToken).ConfigureAwait(false);
                if (ordered)
                {
                    return;
                }

                continue;
            }

            if (ordered && (PodConditions.IsTerminating(pod) || !StatefulPods.IsRunningAndReady(pod)))
            {
                return;
            }
        }

        var condemned = pods.Where(e => e.Key >= replicas).OrderByDescending(e => e.Key).Select(e => e.Value).ToList();
        if (condemned.Count > 0)
        {
            if (!ordered)
            {
                foreach (var pod in condemned.Where(p => !PodConditions.IsTerminating(p)))
                {
                    await DeletePodAsync(set, pod, cancellationToken).ConfigureAwait(false);
                }
            }
            else if (pods.Values.All(p => !PodConditions.IsTerminating(p)))
            {
                // Highest ordinal first, one at a time, and the next only once that one is gone.
                await DeletePodAsync(set, condemned[0], cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        await RollingUpdateAsync(set, pods, updateRevision, replicas, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the highest-ordinal pod at or above the partition with an old revision, once every pod is Ready.</summary>
    private async Task RollingUpdateAsync(StatefulSet set, Dictionary<int, Pod> pods, string updateRevision, int replicas, CancellationToken cancellationToken)
    {
        var strategy = set.Spec!.UpdateStrategy;
        if (strategy is not null && strategy.Type != "RollingUpdate")
        {
            return;
        }

        if (pods.Values.Any(p => PodConditions.IsTerminating(p) || !StatefulPods.IsRunningAndReady(p)))
        {
            return;
        }

        var partition = strategy?.RollingUpdate?.HasPartition == true ? strategy.RollingUpdate.Partition : 0;
        for (var ordinal = replicas - 1; ordinal >= partition; ordinal--)
        {
            if (pods.TryGetValue(ordinal, out var pod) && StatefulPods.RevisionOf(pod) != updateRevision)
            {
                await DeletePodAsync(set, pod, cancellationToken).ConfigureAwait(false);
                return;
            }
        }
    }

    private async Task CreatePodAsync(StatefulSet set, int ordinal, string revision, CancellationToken cancellationToken)
    {
        var podName = $"{set.Metadata.Name}-{ordinal}";
        foreach (var template in set.Spec!.VolumeClaimTemplates)
        {
            var claim = StatefulPods.NewClaim(set, template, ordinal);
            try
            {
                await _claimClient.CreateAsync(claim, cancellationToken).ConfigureAwait(false);
                Recorder.Event(set, EventTypes.Normal, "SuccessfulCreate", $"create Claim {claim.Metadata.Name} Pod {podName} in StatefulSet {set.Metadata.Name} success");
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
            {
                // Retained from an earlier pod of this ordinal: the new pod mounts the same data.
            }
            catch (RpcException e)
            {
                Recorder.Event(set, EventTypes.Warning, "FailedCreate", $"create Claim {claim.Metadata.Name} for Pod {podName} in StatefulSet {set.Metadata.Name} failed error: {e.Status.Detail}");
                throw;
            }
        }

        try
        {
            await _podClient.CreateAsync(StatefulPods.New(set, ordinal, revision), cancellationToken).ConfigureAwait(false);
            Recorder.Event(set, EventTypes.Normal, "SuccessfulCreate", $"create Pod {podName} in StatefulSet {set.Metadata.Name} successful");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            // The cache has not seen our earlier create yet; the pod's add event brings us back.
        }
        catch (RpcException e)
        {
            Recorder.Event(set, EventTypes.Warning, "FailedCreate", $"create Pod {podName} in StatefulSet {set.Metadata.Name} failed error: {e.Status.Detail}");
            throw;
        }
    }

    private async Task DeletePodAsync(StatefulSet set, Pod pod, CancellationToken cancellationToken)
    {
        try
        {
            await _podClient.DeleteAsync(new() { Namespace = pod.Metadata.Namespace, Name = pod.Metadata.Name, Preconditions = new() { Uid = pod.Metadata.Uid } }, cancellationToken).ConfigureAwait(false);
            Recorder.Event(set, EventTypes.Normal, "SuccessfulDelete", $"delete Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name} successful");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
        }
        catch (RpcException e)
        {
            Recorder.Event(set, EventTypes.Warning, "FailedDelete", $"delete Pod {pod.Metadata.Name} in StatefulSet {set.Metadata.Name} failed error: {e.Status.Detail}");
            throw;
        }
    }
}
