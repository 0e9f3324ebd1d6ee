using KubeMesh.Api.Apps.V1;

namespace KubeMesh.ControllerManager.Controllers.Deployments;

/// <summary>calculateStatus and the progress predicates of the deployment controller.</summary>
internal static class DeploymentStatusCalculator
{
    public static DeploymentStatus Calculate(Deployment d, IReadOnlyList<ReplicaSet> all, ReplicaSet? newRS, DateTimeOffset now)
    {
        var available = all.Sum(rs => rs.Status?.AvailableReplicas ?? 0);
        var status = new DeploymentStatus
        {
            ObservedGeneration = d.Metadata.Generation,
            Replicas = all.Sum(rs => rs.Status?.Replicas ?? 0),
            UpdatedReplicas = newRS?.Status?.Replicas ?? 0,
            ReadyReplicas = all.Sum(rs => rs.Status?.ReadyReplicas ?? 0),
            AvailableReplicas = available,
            UnavailableReplicas = Math.Max(0, all.Sum(DeploymentUtil.Replicas) - available),
        };
        if (d.Status?.HasCollisionCount == true)
        {
            status.CollisionCount = d.Status.CollisionCount;
        }

        if (d.Status is not null)
        {
            status.Conditions.Add(d.Status.Conditions.Select(c => c.Clone()));
        }

        var minAvailable = DeploymentUtil.Replicas(d) - DeploymentUtil.MaxUnavailable(d);
        DeploymentUtil.SetCondition(status, available >= minAvailable
            ? DeploymentUtil.NewCondition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now)
            : DeploymentUtil.NewCondition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now));
        return status;
    }

    /// <summary>Every replica updated and available, and the latest spec observed (DeploymentComplete).</summary>
    public static bool IsComplete(Deployment d, DeploymentStatus? status)
    {
        var replicas = DeploymentUtil.Replicas(d);
        return status is not null && status.UpdatedReplicas == replicas && status.Replicas == replicas
            && status.AvailableReplicas == replicas && status.ObservedGeneration >= d.Metadata.Generation;
    }

    /// <summary>More updated, ready or available pods, or fewer old ones, than last written (DeploymentProgressing).</summary>
    public static bool IsProgressing(Deployment d, DeploymentStatus status)
    {
        var old = d.Status ?? new DeploymentStatus();
        return status.UpdatedReplicas > old.UpdatedReplicas
            || status.Replicas - status.UpdatedReplicas < old.Replicas - old.UpdatedReplicas
            || status.ReadyReplicas > old.ReadyReplicas
            || status.AvailableReplicas > old.AvailableReplicas;
    }

    public static bool HasProgressDeadline(Deployment d) => !d.Spec.HasProgressDeadlineSeconds || d.Spec.ProgressDeadlineSeconds != int.MaxValue;

    public static int ProgressDeadlineSeconds(Deployment d) => d.Spec.HasProgressDeadlineSeconds ? d.Spec.ProgressDeadlineSeconds : 600;

    public static bool IsTimedOut(Deployment d, DeploymentStatus status, DateTimeOffset now)
    {
        var condition = DeploymentUtil.GetCondition(status, "Progressing");
        if (!HasProgressDeadline(d) || condition is null || condition.Reason == "NewReplicaSetAvailable")
        {
            return false;
        }

        if (condition.Reason == "ProgressDeadlineExceeded")
        {
            return true;
        }

        var from = condition.LastUpdateTime?.ToDateTimeOffset() ?? now;
        return now > from.AddSeconds(ProgressDeadlineSeconds(d));
    }
}
