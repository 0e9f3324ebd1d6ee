using System.Globalization;
using Grpc.Core;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ControllerManager.Controllers.Common;

namespace KubeMesh.ControllerManager.Controllers.Deployments;

internal sealed partial class DeploymentSync
{
    private static readonly HashSet<string> NotCopiedAnnotations =
    [
        DeploymentUtil.RevisionAnnotation, DeploymentUtil.DesiredReplicasAnnotation, DeploymentUtil.MaxReplicasAnnotation,
        DeploymentUtil.LastAppliedAnnotation, "deployment.kubernetes.io/revision-history",
    ];

    /// <summary>The oldest ReplicaSet whose template equals the Deployment's, ignoring the hash label (FindNewReplicaSet).</summary>
    private ReplicaSet? FindExistingNewReplicaSet() =>
        _replicaSets.Values
            .Where(rs => PodTemplateHash.EqualIgnoringHash(rs.Spec?.Template, _d.Spec.Template))
            .OrderBy(rs => rs.Metadata.CreationTimestamp?.ToDateTimeOffset())
            .ThenBy(rs => rs.Metadata.Name, StringComparer.Ordinal)
            .FirstOrDefault();

    /// <summary>
    /// getAllReplicaSetsAndSyncRevision: finds (or creates) the ReplicaSet for the current template and gives it the
    /// next revision: max of the others + 1, so rolling back to an old template bumps that old ReplicaSet's revision.
    /// </summary>
    private async Task FindNewReplicaSetAsync(bool create, CancellationToken cancellationToken)
    {
        var existing = FindExistingNewReplicaSet();
        _newUid = existing?.Metadata.Uid;
        var newRevision = DeploymentUtil.MaxRevision(OldRSs) + 1;
        if (existing is not null)
        {
            var copy = existing.Clone();
            var changed = SetNewReplicaSetAnnotations(copy, newRevision, exists: true);
            if (copy.Spec.MinReadySeconds != _d.Spec.MinReadySeconds)
            {
                copy.Spec.MinReadySeconds = _d.Spec.MinReadySeconds;
                changed = true;
            }

            if (changed)
            {
                existing = await _rsClient.UpdateAsync(copy, cancellationToken).ConfigureAwait(false);
                _replicaSets[existing.Metadata.Uid] = existing;
            }

            await SetDeploymentRevisionAsync(existing.Metadata.Annotations.GetValueOrDefault(DeploymentUtil.RevisionAnnotation) ?? "", cancellationToken).ConfigureAwait(false);
            if (DeploymentUtil.GetCondition(_d.Status, "Progressing") is null)
            {
                await SetProgressingAsync("FoundNewReplicaSet", $"Found new replica set \"{existing.Metadata.Name}\"", cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (!create)
        {
            return;
        }

        var created = await CreateNewReplicaSetAsync(newRevision, cancellationToken).ConfigureAwait(false);
        _replicaSets[created.Metadata.Uid] = created;
        _newUid = created.Metadata.Uid;
        await SetDeploymentRevisionAsync(newRevision.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        await SetProgressingAsync("NewReplicaSetCreated", $"Created new replica set \"{created.Metadata.Name}\"", cancellationToken).ConfigureAwait(false);
    }

    private async Task<ReplicaSet> CreateNewReplicaSetAsync(long newRevision, CancellationToken cancellationToken)
    {
        var collisionCount = _d.Status?.HasCollisionCount == true ? _d.Status.CollisionCount : (int?)null;
        var hash = PodTemplateHash.Compute(_d.Spec.Template, collisionCount);
        var template = _d.Spec.Template.Clone();
        template.Metadata ??= new ObjectMeta();
        template.Metadata.Labels[PodTemplateHash.Label] = hash;
        var selector = _d.Spec.Selector.Clone();
        selector.MatchLabels[PodTemplateHash.Label] = hash;
        var rs = new ReplicaSet
        {
            Metadata = new ObjectMeta
            {
                Name = $"{_d.Metadata.Name}-{hash}",
                Namespace = _d.Metadata.Namespace,
                Labels = { template.Metadata.Labels },
                OwnerReferences = { OwnerReferences.NewControllerRef(_d.Metadata, ResourceKinds.Deployment) },
            },
            Spec = new ReplicaSetSpec { Replicas = 0, MinReadySeconds = _d.Spec.MinReadySeconds, Selector = selector, Template = template },
        };
        var newReplicas = NewRSNewReplicas(rs);
        rs.Spec.Replicas = newReplicas;
        SetNewReplicaSetAnnotations(rs, newRevision, exists: false);
        try
        {
            var created = await _rsClient.CreateAsync(rs, cancellationToken).ConfigureAwait(false);
            if (newReplicas > 0)
            {
                _recorder.Event(_d, Client.EventTypes.Normal, "ScalingReplicaSet", $"Scaled up replica set {created.Metadata.Name} to {newReplicas} from 0");
            }

            return created;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            var other = await _rsClient.GetAsync(rs.Metadata.Namespace, rs.Metadata.Name, cancellationToken).ConfigureAwait(false);
            if (OwnerReferences.IsControlledBy(other.Metadata, _d.Metadata) && PodTemplateHash.EqualIgnoringHash(other.Spec.Template, _d.Spec.Template))
            {
                return other;
            }

            // A hash collision with someone else's ReplicaSet: a new collision count gives a new name next time.
            var status = _d.Status?.Clone() ?? new DeploymentStatus();
            status.CollisionCount = (collisionCount ?? 0) + 1;
            await WriteStatusAsync(status, cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    private bool SetNewReplicaSetAnnotations(ReplicaSet rs, long newRevision, bool exists)
    {
        var changed = false;
        foreach (var (key, value) in _d.Metadata.Annotations)
        {
            if (!NotCopiedAnnotations.Contains(key) && rs.Metadata.Annotations.GetValueOrDefault(key) != value)
            {
                rs.Metadata.Annotations[key] = value;
                changed = true;
            }
        }

        if (DeploymentUtil.Revision(rs) < newRevision)
        {
            rs.Metadata.Annotations[DeploymentUtil.RevisionAnnotation] = newRevision.ToString(CultureInfo.InvariantCulture);
            changed = true;
        }

        if (!exists)
        {
            rs.Metadata.Annotations[DeploymentUtil.DesiredReplicasAnnotation] = Replicas.ToString(CultureInfo.InvariantCulture);
            rs.Metadata.Annotations[DeploymentUtil.MaxReplicasAnnotation] = (Replicas + DeploymentUtil.MaxSurge(_d)).ToString(CultureInfo.InvariantCulture);
            changed = true;
        }

        return changed;
    }

    private async Task SetDeploymentRevisionAsync(string revision, CancellationToken cancellationToken)
    {
        if (revision.Length == 0 || _d.Metadata.Annotations.GetValueOrDefault(DeploymentUtil.RevisionAnnotation) == revision)
        {
            return;
        }

        var copy = _d.Clone();
        copy.Metadata.Annotations[DeploymentUtil.RevisionAnnotation] = revision;
        _d = await _deployments.UpdateAsync(copy, cancellationToken).ConfigureAwait(false);
    }

    private async Task SetProgressingAsync(string reason, string message, CancellationToken cancellationToken)
    {
        var status = _d.Status?.Clone() ?? new DeploymentStatus();
        DeploymentUtil.SetCondition(status, DeploymentUtil.NewCondition("Progressing", "True", reason, message, _now));
        await WriteStatusAsync(status, cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteStatusAsync(DeploymentStatus status, CancellationToken cancellationToken)
    {
        if (Equals(_d.Status, status))
        {
            return;
        }

        var copy = _d.Clone();
        copy.Status = status;
        _d = await _deployments.UpdateStatusAsync(copy, cancellationToken).ConfigureAwait(false);
    }
}
