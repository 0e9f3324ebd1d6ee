using KubeMesh.Api.Apps.V1;

namespace KubeMesh.ControllerManager.Controllers.Deployments;

internal sealed partial class DeploymentSync
{
    private Task SyncDeploymentStatusAsync(CancellationToken cancellationToken) =>
        WriteStatusAsync(DeploymentStatusCalculator.Calculate(_d, AllRSs, NewRS, _now), cancellationToken);

    /// <summary>syncRolloutStatus: status plus the Progressing condition; a stalled rollout is looked at again at its deadline.</summary>
    private async Task SyncRolloutStatusAsync(CancellationToken cancellationToken)
    {
        var status = DeploymentStatusCalculator.Calculate(_d, AllRSs, NewRS, _now);
        var hasDeadline = DeploymentStatusCalculator.HasProgressDeadline(_d);
        if (!hasDeadline)
        {
            DeploymentUtil.RemoveCondition(status, "Progressing");
        }

        var current = DeploymentUtil.GetCondition(_d.Status, "Progressing");
        var complete = status.Replicas == status.UpdatedReplicas && current?.Reason == "NewReplicaSetAvailable";
        var name = NewRS?.Metadata.Name ?? "";
        if (hasDeadline && !complete)
        {
            if (DeploymentStatusCalculator.IsComplete(_d, status))
            {
                DeploymentUtil.SetCondition(status, DeploymentUtil.NewCondition("Progressing", "True", "NewReplicaSetAvailable", $"ReplicaSet \"{name}\" has successfully progressed.", _now));
            }
            else if (DeploymentStatusCalculator.IsProgressing(_d, status))
            {
                // Progress refreshes lastUpdateTime even with the same reason, which restarts the deadline.
                var condition = DeploymentUtil.NewCondition("Progressing", "True", "ReplicaSetUpdated", $"ReplicaSet \"{name}\" is progressing.", _now);
                if (current?.Status == "True")
                {
                    condition.LastTransitionTime = current.LastTransitionTime;
                }

                DeploymentUtil.RemoveCondition(status, "Progressing");
                status.Conditions.Add(condition);
            }
            else if (DeploymentStatusCalculator.IsTimedOut(_d, status, _now))
            {
                DeploymentUtil.SetCondition(status, DeploymentUtil.NewCondition("Progressing", "False", "ProgressDeadlineExceeded", $"ReplicaSet \"{name}\" has timed out progressing.", _now));
            }
        }

        if (Equals(_d.Status, status))
        {
            RequeueStuckDeployment(status);
            return;
        }

        await WriteStatusAsync(status, cancellationToken).ConfigureAwait(false);
    }

    private void RequeueStuckDeployment(DeploymentStatus status)
    {
        var condition = DeploymentUtil.GetCondition(status, "Progressing");
        if (!DeploymentStatusCalculator.HasProgressDeadline(_d) || condition is null
            || condition.Reason is "NewReplicaSetAvailable" or "ProgressDeadlineExceeded"
            || DeploymentStatusCalculator.IsComplete(_d, status))
        {
            return;
        }

        var from = condition.LastUpdateTime?.ToDateTimeOffset() ?? _now;
        var after = from.AddSeconds(DeploymentStatusCalculator.ProgressDeadlineSeconds(_d)) - _now;
        _requeueAfter(after < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : after + TimeSpan.FromSeconds(1));
    }
}
