using System.Globalization;
using KubeMesh.Api.Apps.V1;

namespace KubeMesh.ControllerManager.Controllers.Deployments;

internal sealed partial class DeploymentSync
{
    /// <summary>sync: a paused Deployment or a change of replicas only resizes the existing ReplicaSets.</summary>
    private async Task SyncScaleAsync(CancellationToken cancellationToken)
    {
        await FindNewReplicaSetAsync(create: false, cancellationToken).ConfigureAwait(false);
        await ScaleAsync(cancellationToken).ConfigureAwait(false);
        if (_d.Spec.Paused)
        {
            await CleanupAsync(cancellationToken).ConfigureAwait(false);
        }

        await SyncDeploymentStatusAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// scale: with one active ReplicaSet it takes the new size; mid-rollout the change is spread over the active
    /// ReplicaSets in proportion to their size (proportional scaling), the rounding remainder going to the largest.
    /// </summary>
    private async Task ScaleAsync(CancellationToken cancellationToken)
    {
        var active = AllRSs.Where(rs => DeploymentUtil.Replicas(rs) > 0).ToList();
        var single = active.Count switch
        {
            1 => active[0],
            0 => NewRS ?? OldRSs.OrderByDescending(DeploymentUtil.Revision).FirstOrDefault(),
            _ => null,
        };
        if (single is not null)
        {
            await ScaleReplicaSetAsync(single, Replicas, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (NewRS is { } newRS && IsSaturated(newRS))
        {
            foreach (var rs in OldRSs.Where(rs => DeploymentUtil.Replicas(rs) > 0))
            {
                await ScaleReplicaSetAsync(rs, 0, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (DeploymentUtil.IsRecreate(_d))
        {
            return;
        }

        var allowed = Replicas > 0 ? Replicas + DeploymentUtil.MaxSurge(_d) : 0;
        var toAdd = allowed - active.Sum(DeploymentUtil.Replicas);
        var ordered = toAdd > 0
            ? active.OrderByDescending(DeploymentUtil.Replicas).ThenByDescending(rs => rs.Metadata.CreationTimestamp?.ToDateTimeOffset()).ToList()
            : active.OrderByDescending(DeploymentUtil.Replicas).ThenBy(rs => rs.Metadata.CreationTimestamp?.ToDateTimeOffset()).ToList();
        var added = 0;
        var sizes = new Dictionary<string, int>();
        foreach (var rs in ordered)
        {
            var proportion = Proportion(rs, toAdd, added);
            sizes[rs.Metadata.Uid] = DeploymentUtil.Replicas(rs) + proportion;
            added += proportion;
        }

        if (ordered.Count > 0 && toAdd - added != 0)
        {
            var first = ordered[0].Metadata.Uid;
            sizes[first] = Math.Max(0, sizes[first] + toAdd - added);
        }

        foreach (var rs in ordered)
        {
            await ScaleReplicaSetAsync(rs, sizes[rs.Metadata.Uid], cancellationToken).ConfigureAwait(false);
        }
    }

    private bool IsSaturated(ReplicaSet rs) =>
        rs.Metadata.Annotations.GetValueOrDefault(DeploymentUtil.DesiredReplicasAnnotation) == Replicas.ToString(CultureInfo.InvariantCulture)
        && DeploymentUtil.Replicas(rs) == Replicas
        && (rs.Status?.AvailableReplicas ?? 0) == Replicas;

    private int Proportion(ReplicaSet rs, int toAdd, int added)
    {
        if (DeploymentUtil.Replicas(rs) == 0 || toAdd == 0 || toAdd == added)
        {
            return 0;
        }

        var fraction = Fraction(rs);
        var allowed = toAdd - added;
        return toAdd > 0 ? Math.Min(fraction, allowed) : Math.Max(fraction, allowed);
    }

    /// <summary>getReplicaSetFraction: the size this ReplicaSet would have at the new scale, minus its current size.</summary>
    private int Fraction(ReplicaSet rs)
    {
        if (Replicas == 0)
        {
            return -DeploymentUtil.Replicas(rs);
        }

        var deploymentReplicas = Replicas + DeploymentUtil.MaxSurge(_d);
        var annotated = rs.Metadata.Annotations.TryGetValue(DeploymentUtil.MaxReplicasAnnotation, out var v) && int.TryParse(v, CultureInfo.InvariantCulture, out var max)
            ? max
            : _d.Status?.Replicas ?? 0;
        if (annotated == 0)
        {
            return 0;
        }

        var size = (double)DeploymentUtil.Replicas(rs) * deploymentReplicas / annotated;
        return (int)Math.Round(size, MidpointRounding.AwayFromZero) - DeploymentUtil.Replicas(rs);
    }
}
