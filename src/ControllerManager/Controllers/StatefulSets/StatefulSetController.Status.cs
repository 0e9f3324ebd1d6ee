using Grpc.Core;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.Common;

namespace KubeMesh.ControllerManager.Controllers.StatefulSets;

public sealed partial class StatefulSetController
{
    /// <summary>Counts by revision; currentRevision moves to updateRevision once every replica runs it and is ready.</summary>
    private async Task UpdateStatusAsync(StatefulSet set, List<Pod> pods, string updateRevision, CancellationToken cancellationToken)
    {
        var live = pods.Where(p => !PodConditions.IsTerminating(p)).ToList();
        var currentRevision = set.Status?.CurrentRevision is { Length: > 0 } current ? current : updateRevision;
        var status = new StatefulSetStatus
        {
            ObservedGeneration = set.Metadata.Generation,
            Replicas = live.Count,
            ReadyReplicas = live.Count(PodConditions.IsReady),
            AvailableReplicas = live.Count(p => PodConditions.IsAvailable(p, set.Spec?.MinReadySeconds ?? 0, Now)),
            UpdatedReplicas = live.Count(p => StatefulPods.RevisionOf(p) == updateRevision),
            UpdateRevision = updateRevision,
        };
        if (status.UpdatedReplicas == Replicas(set) && status.ReadyReplicas == Replicas(set) && status.Replicas == Replicas(set))
        {
            currentRevision = updateRevision;
        }

        status.CurrentRevision = currentRevision;
        status.CurrentReplicas = live.Count(p => StatefulPods.RevisionOf(p) == currentRevision);
        if (set.Status?.HasCollisionCount == true)
        {
            status.CollisionCount = set.Status.CollisionCount;
        }

        status.Conditions.Add(set.Status?.Conditions ?? []);
        await _setClient.UpdateStatusIfChangedAsync(set, status, cancellationToken).ConfigureAwait(false);
    }

    private void EnqueueOwner(Pod pod)
    {
        var reference = OwnerReferences.ControllerOf(pod.Metadata);
        if (reference is null)
        {
            foreach (var set in _sets.List(pod.Metadata.Namespace))
            {
                if (Api.Selectors.LabelSelectorExpression.FromProto(set.Spec?.Selector).Matches(pod.Metadata.Labels))
                {
                    Queue.Add(MetaNamespaceKey.For(set.Metadata));
                }
            }

            return;
        }

        if (reference.Kind == ResourceKinds.StatefulSet.Kind && _sets.Get(pod.Metadata.Namespace, reference.Name) is { } owner && owner.Metadata.Uid == reference.Uid)
        {
            Queue.Add(MetaNamespaceKey.For(owner.Metadata));
        }
    }
}
