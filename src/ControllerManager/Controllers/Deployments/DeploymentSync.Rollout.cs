using KubeMesh.Api.Apps.V1;
using KubeMesh.ControllerManager.Controllers.Common;

namespace KubeMesh.ControllerManager.Controllers.Deployments;

internal sealed partial class DeploymentSync
{
    private async Task RolloutRollingAsync(CancellationToken cancellationToken)
    {
        await FindNewReplicaSetAsync(create: true, cancellationToken).ConfigureAwait(false);
        if (await ReconcileNewReplicaSetAsync(cancellationToken).ConfigureAwait(false) ||
            await ReconcileOldReplicaSetsAsync(cancellationToken).ConfigureAwait(false))
        {
            await SyncRolloutStatusAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        if (DeploymentStatusCalculator.IsComplete(_d, _d.Status))
        {
            await CleanupAsync(cancellationToken).ConfigureAwait(false);
        }

        await SyncRolloutStatusAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Recreate: scale every old ReplicaSet to zero, wait until their pods are gone, then scale up the new one.</summary>
    private async Task RolloutRecreateAsync(CancellationToken cancellationToken)
    {
        await FindNewReplicaSetAsync(create: false, cancellationToken).ConfigureAwait(false);
        var scaledDown = false;
        foreach (var rs in OldRSs.Where(rs => DeploymentUtil.Replicas(rs) > 0))
        {
            scaledDown |= await ScaleReplicaSetAsync(rs, 0, cancellationToken).ConfigureAwait(false);
        }

        if (scaledDown || OldPodsRunning())
        {
            await SyncRolloutStatusAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        if (NewRS is null)
        {
            await FindNewReplicaSetAsync(create: true, cancellationToken).ConfigureAwait(false);
        }

        await ScaleReplicaSetAsync(NewRS!, Replicas, cancellationToken).ConfigureAwait(false);
        if (DeploymentStatusCalculator.IsComplete(_d, _d.Status))
        {
            await CleanupAsync(cancellationToken).ConfigureAwait(false);
        }

        await SyncRolloutStatusAsync(cancellationToken).ConfigureAwait(false);
    }

    private bool OldPodsRunning()
    {
        if (OldRSs.Sum(rs => rs.Status?.Replicas ?? 0) > 0)
        {
            return true;
        }

        var oldUids = OldRSs.Select(rs => rs.Metadata.Uid).ToHashSet();
        return _pods.Any(p => OwnerReferences.ControllerOf(p.Metadata) is { } owner && oldUids.Contains(owner.Uid)
            && p.Status?.Phase is not ("Succeeded" or "Failed"));
    }

    private async Task<bool> ReconcileNewReplicaSetAsync(CancellationToken cancellationToken)
    {
        var newRS = NewRS!;
        var current = DeploymentUtil.Replicas(newRS);
        if (current == Replicas)
        {
            return false;
        }

        var target = current > Replicas ? Replicas : NewRSNewReplicas(newRS);
        return await ScaleReplicaSetAsync(newRS, target, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// NewRSNewReplicas: how far the new ReplicaSet may grow without more than replicas+maxSurge pods. A ReplicaSet
    /// counts with the larger of its spec and its observed pods, so pods of a just-scaled-down ReplicaSet that are
    /// still there count until they are gone.
    /// </summary>
    private int NewRSNewReplicas(ReplicaSet newRS)
    {
        if (DeploymentUtil.IsRecreate(_d))
        {
            return Replicas;
        }

        var current = _replicaSets.Values.Where(rs => rs.Metadata.Uid != newRS.Metadata.Uid)
            .Sum(rs => Math.Max(DeploymentUtil.Replicas(rs), rs.Status?.Replicas ?? 0))
            + Math.Max(DeploymentUtil.Replicas(newRS), newRS.Status?.Replicas ?? 0);
        var maxTotal = Replicas + DeploymentUtil.MaxSurge(_d);
        if (current >= maxTotal)
        {
            return DeploymentUtil.Replicas(newRS);
        }

        var scaleUp = Math.Min(maxTotal - current, Replicas - DeploymentUtil.Replicas(newRS));
        return DeploymentUtil.Replicas(newRS) + scaleUp;
    }

    /// <summary>
    /// reconcileOldReplicaSets: scales old ReplicaSets down only as far as keeps replicas-maxUnavailable pods
    /// available, unhealthy ones first. An old ReplicaSet's available count is capped at its spec, since pods above
    /// the spec are about to go.
    /// </summary>
    private async Task<bool> ReconcileOldReplicaSetsAsync(CancellationToken cancellationToken)
    {
        var oldPods = OldRSs.Sum(DeploymentUtil.Replicas);
        if (oldPods == 0)
        {
            return false;
        }

        var newRS = NewRS!;
        var allPods = AllRSs.Sum(DeploymentUtil.Replicas);
        var minAvailable = Replicas - DeploymentUtil.MaxUnavailable(_d);
        var newUnavailable = DeploymentUtil.Replicas(newRS) - Available(newRS);
        var maxScaledDown = allPods - minAvailable - newUnavailable;
        if (maxScaledDown <= 0)
        {
            return false;
        }

        var scaledDown = 0;
        foreach (var rs in ByCreation(OldRSs))
        {
            if (scaledDown >= maxScaledDown)
            {
                break;
            }

            var unhealthy = DeploymentUtil.Replicas(rs) - Available(rs);
            if (DeploymentUtil.Replicas(rs) == 0 || unhealthy <= 0)
            {
                continue;
            }

            var count = Math.Min(maxScaledDown - scaledDown, unhealthy);
            await ScaleReplicaSetAsync(rs, DeploymentUtil.Replicas(rs) - count, cancellationToken).ConfigureAwait(false);
            scaledDown += count;
        }

        var available = AllRSs.Sum(Available);
        var excess = Math.Min(available - minAvailable, maxScaledDown - scaledDown);
        foreach (var rs in ByCreation(OldRSs))
        {
            if (excess <= 0)
            {
                break;
            }

            var count = Math.Min(DeploymentUtil.Replicas(rs), excess);
            if (count == 0)
            {
                continue;
            }

            await ScaleReplicaSetAsync(rs, DeploymentUtil.Replicas(rs) - count, cancellationToken).ConfigureAwait(false);
            scaledDown += count;
            excess -= count;
        }

        return scaledDown > 0;
    }

    private static int Available(ReplicaSet rs) => Math.Min(rs.Status?.AvailableReplicas ?? 0, DeploymentUtil.Replicas(rs));

    private static IEnumerable<ReplicaSet> ByCreation(IEnumerable<ReplicaSet> replicaSets) =>
        replicaSets.OrderBy(rs => rs.Metadata.CreationTimestamp?.ToDateTimeOffset()).ThenBy(rs => rs.Metadata.Name, StringComparer.Ordinal).ToList();
}
