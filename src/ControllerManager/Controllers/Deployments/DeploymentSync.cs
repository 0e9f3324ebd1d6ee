using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client;

namespace KubeMesh.ControllerManager.Controllers.Deployments;

/// <summary>
/// One reconciliation of one Deployment (pkg/controller/deployment): holds the Deployment and the ReplicaSets it
/// controls as they are changed during the sync, so each step sees the previous step's writes.
/// </summary>
internal sealed partial class DeploymentSync
{
    private readonly Dictionary<string, ReplicaSet> _replicaSets;
    private readonly IReadOnlyList<Pod> _pods;
    private readonly ResourceClient<Deployment> _deployments;
    private readonly ResourceClient<ReplicaSet> _rsClient;
    private readonly EventRecorder _recorder;
    private readonly DateTimeOffset _now;
    private readonly Action<TimeSpan> _requeueAfter;
    private Deployment _d;
    private string? _newUid;

    public DeploymentSync(
        Deployment deployment,
        IEnumerable<ReplicaSet> replicaSets,
        IReadOnlyList<Pod> pods,
        KubeMeshClient client,
        EventRecorder recorder,
        DateTimeOffset now,
        Action<TimeSpan> requeueAfter)
    {
        _d = deployment;
        _replicaSets = replicaSets.ToDictionary(rs => rs.Metadata.Uid);
        _pods = pods;
        _deployments = client.For<Deployment>();
        _rsClient = client.For<ReplicaSet>();
        _recorder = recorder;
        _now = now;
        _requeueAfter = requeueAfter;
    }

    private ReplicaSet? NewRS => _newUid is null ? null : _replicaSets.GetValueOrDefault(_newUid);

    private List<ReplicaSet> OldRSs => [.. _replicaSets.Values.Where(rs => rs.Metadata.Uid != _newUid)];

    private List<ReplicaSet> AllRSs => [.. _replicaSets.Values];

    private int Replicas => DeploymentUtil.Replicas(_d);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_d.Metadata.DeletionTimestamp is not null)
        {
            await FindNewReplicaSetAsync(create: false, cancellationToken).ConfigureAwait(false);
            await SyncDeploymentStatusAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        if (_d.Spec.Paused || IsScalingEvent())
        {
            await SyncScaleAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        if (DeploymentUtil.IsRecreate(_d))
        {
            await RolloutRecreateAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await RolloutRollingAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// isScalingEvent: a change of spec.replicas alone (an active ReplicaSet's desired-replicas annotation differs):
    /// scale, do not roll out. Only active ReplicaSets count (FilterActiveReplicaSets): one scaled to 0 keeps the
    /// annotation of the size it had then, and scaling never touches it, so a rollback to it would otherwise be
    /// taken for a scaling event on every sync and never roll out.
    /// </summary>
    private bool IsScalingEvent()
    {
        foreach (var rs in _replicaSets.Values.Where(rs => DeploymentUtil.Replicas(rs) > 0))
        {
            if (rs.Metadata.Annotations.TryGetValue(DeploymentUtil.DesiredReplicasAnnotation, out var v) &&
                int.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var desired) && desired != Replicas)
            {
                return true;
            }
        }

        return false;
    }

    private async Task<bool> ScaleReplicaSetAsync(ReplicaSet rs, int newScale, CancellationToken cancellationToken)
    {
        var oldScale = DeploymentUtil.Replicas(rs);
        var maxReplicas = (Replicas + DeploymentUtil.MaxSurge(_d)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var desired = Replicas.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (oldScale == newScale &&
            rs.Metadata.Annotations.GetValueOrDefault(DeploymentUtil.DesiredReplicasAnnotation) == desired &&
            rs.Metadata.Annotations.GetValueOrDefault(DeploymentUtil.MaxReplicasAnnotation) == maxReplicas)
        {
            return false;
        }

        var copy = rs.Clone();
        copy.Spec.Replicas = newScale;
        copy.Metadata.Annotations[DeploymentUtil.DesiredReplicasAnnotation] = desired;
        copy.Metadata.Annotations[DeploymentUtil.MaxReplicasAnnotation] = maxReplicas;
        var updated = await _rsClient.UpdateAsync(copy, cancellationToken).ConfigureAwait(false);
        _replicaSets[updated.Metadata.Uid] = updated;
        if (oldScale != newScale)
        {
            var direction = newScale > oldScale ? "up" : "down";
            _recorder.Event(_d, EventTypes.Normal, "ScalingReplicaSet", $"Scaled {direction} replica set {rs.Metadata.Name} to {newScale} from {oldScale}");
        }

        return oldScale != newScale;
    }

    private async Task CleanupAsync(CancellationToken cancellationToken)
    {
        var limit = _d.Spec.HasRevisionHistoryLimit ? _d.Spec.RevisionHistoryLimit : 10;
        var cleanable = OldRSs.Where(rs => rs.Metadata.DeletionTimestamp is null).ToList();
        var diff = cleanable.Count - limit;
        if (diff <= 0)
        {
            return;
        }

        foreach (var rs in cleanable.OrderBy(DeploymentUtil.Revision).ThenBy(rs => rs.Metadata.CreationTimestamp?.ToDateTimeOffset()).Take(diff))
        {
            // Only ReplicaSets that are fully scaled down and whose status caught up may go.
            if (rs.Status?.Replicas != 0 || DeploymentUtil.Replicas(rs) != 0 || rs.Metadata.Generation > (rs.Status?.ObservedGeneration ?? 0))
            {
                continue;
            }

            try
            {
                await _rsClient.DeleteAsync(new() { Namespace = rs.Metadata.Namespace, Name = rs.Metadata.Name, Preconditions = new() { Uid = rs.Metadata.Uid } }, cancellationToken).ConfigureAwait(false);
                _replicaSets.Remove(rs.Metadata.Uid);
            }
            catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
            {
                _replicaSets.Remove(rs.Metadata.Uid);
            }
        }
    }
}
