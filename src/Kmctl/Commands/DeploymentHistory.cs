using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.Kmctl.Commands;

/// <summary>A Deployment's revisions: the ReplicaSets it controls, numbered by deployment.kubernetes.io/revision.</summary>
public static class DeploymentHistory
{
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    public const string ChangeCauseAnnotation = "kubernetes.io/change-cause";
    public const string PodTemplateHashLabel = "pod-template-hash";

    /// <summary>Annotations the deployment controller owns; rollback copies every other one (kubectl's annotationsToSkip).</summary>
    private static readonly HashSet<string> SkippedAnnotations =
    [
        "kubectl.kubernetes.io/last-applied-configuration", RevisionAnnotation, "deployment.kubernetes.io/revision-history",
        "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas",
    ];

    public static async Task<IReadOnlyList<(long Revision, ReplicaSet ReplicaSet)>> ListAsync(KmctlContext context, Deployment deployment)
    {
        var list = await context.Api.ListAsync(ResourceKinds.ReplicaSet, new ListRequest { Namespace = deployment.Metadata.Namespace });
        return list.Items.Cast<ReplicaSet>()
            .Where(rs => rs.Metadata.OwnerReferences.Any(o => o.Uid == deployment.Metadata.Uid && o.Kind == "Deployment"))
            .Select(rs => (Revision: Revision(rs), ReplicaSet: rs))
            .Where(r => r.Revision > 0)
            .OrderBy(r => r.Revision)
            .ToList();
    }

    public static long Revision(ReplicaSet rs) =>
        rs.Metadata.Annotations.TryGetValue(RevisionAnnotation, out var value) && long.TryParse(value, out var n) ? n : 0;

    /// <summary>Undo: the ReplicaSet's template without its pod-template-hash label, and its annotations, back on the Deployment.</summary>
    public static bool RollBack(Deployment deployment, ReplicaSet target)
    {
        var template = target.Spec.Template.Clone();
        template.Metadata ??= new ObjectMeta();
        template.Metadata.Labels.Remove(PodTemplateHashLabel);
        if (template.Equals(deployment.Spec.Template))
        {
            return false;
        }

        deployment.Spec.Template = template;
        foreach (var key in deployment.Metadata.Annotations.Keys.Where(k => !SkippedAnnotations.Contains(k)).ToList())
        {
            deployment.Metadata.Annotations.Remove(key);
        }

        foreach (var (key, value) in target.Metadata.Annotations.Where(a => !SkippedAnnotations.Contains(a.Key)))
        {
            deployment.Metadata.Annotations[key] = value;
        }

        return true;
    }

    /// <summary>kubectl's DeploymentStatusViewer: the message for this state, and whether the rollout is done.</summary>
    public static (string Message, bool Done) Status(Deployment d)
    {
        var name = d.Metadata.Name;
        var status = d.Status ?? new DeploymentStatus();
        if (d.Metadata.Generation > status.ObservedGeneration)
        {
            return ("Waiting for deployment spec update to be observed...", false);
        }

        if (status.Conditions.Any(c => c.Type == "Progressing" && c.Reason == "ProgressDeadlineExceeded"))
        {
            throw new Cli.CommandException($"error: deployment \"{name}\" exceeded its progress deadline");
        }

        var desired = d.Spec is { HasReplicas: true } ? d.Spec.Replicas : 1;
        if (status.UpdatedReplicas < desired)
        {
            return ($"Waiting for deployment \"{name}\" rollout to finish: {status.UpdatedReplicas} out of {desired} new replicas have been updated...", false);
        }

        if (status.Replicas > status.UpdatedReplicas)
        {
            return ($"Waiting for deployment \"{name}\" rollout to finish: {status.Replicas - status.UpdatedReplicas} old replicas are pending termination...", false);
        }

        if (status.AvailableReplicas < status.UpdatedReplicas)
        {
            return ($"Waiting for deployment \"{name}\" rollout to finish: {status.AvailableReplicas} of {status.UpdatedReplicas} updated replicas are available...", false);
        }

        return ($"deployment \"{name}\" successfully rolled out", true);
    }
}
