using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.ControllerManager.Controllers.Common;

namespace KubeMesh.ControllerManager.Controllers.ReplicaSets;

/// <summary>calculateStatus of the ReplicaSet controller: counts over the pods it controls.</summary>
internal static class ReplicaSetStatusCalculator
{
    public static ReplicaSetStatus Calculate(ReplicaSet rs, IReadOnlyList<Pod> pods, DateTimeOffset now)
    {
        var templateLabels = rs.Spec?.Template?.Metadata?.Labels;
        var minReady = rs.Spec?.MinReadySeconds ?? 0;
        var status = new ReplicaSetStatus
        {
            Replicas = pods.Count,
            FullyLabeledReplicas = pods.Count(p => templateLabels is null || templateLabels.All(l => p.Metadata.Labels.TryGetValue(l.Key, out var v) && v == l.Value)),
            ReadyReplicas = pods.Count(PodConditions.IsReady),
            AvailableReplicas = pods.Count(p => PodConditions.IsAvailable(p, minReady, now)),
            ObservedGeneration = rs.Metadata.Generation,
        };
        if (rs.Status is not null)
        {
            status.Conditions.Add(rs.Status.Conditions);
        }

        return status;
    }
}
