using System.Globalization;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ControllerManager.Controllers.Common;
using KubeMesh.ControllerManager.Controllers.Deployments;

namespace KubeMesh.ControllerManager.Controllers.StatefulSets;

/// <summary>
/// A StatefulSet's pods and claims by ordinal (pkg/controller/statefulset/stateful_set_utils): stable names,
/// hostname/subdomain for the governing service's DNS, and one claim per volumeClaimTemplate per ordinal.
/// </summary>
internal static class StatefulPods
{
    public const string PodNameLabel = "statefulset.kubernetes.io/pod-name";
    public const string PodIndexLabel = "apps.kubernetes.io/pod-index";
    public const string RevisionLabel = "controller-revision-hash";

    /// <summary>Revision names as kube's ControllerRevisions are named: &lt;set&gt;-&lt;template hash&gt;.</summary>
    public static string Revision(StatefulSet set) => $"{set.Metadata.Name}-{PodTemplateHash.Compute(set.Spec!.Template, set.Status?.HasCollisionCount == true ? set.Status.CollisionCount : null)}";

    public static string RevisionOf(Pod pod) => pod.Metadata.Labels.GetValueOrDefault(RevisionLabel) ?? "";

    /// <summary>The ordinal in "&lt;set&gt;-&lt;ordinal&gt;", or -1 when the pod is not named as this set's pod.</summary>
    public static int Ordinal(StatefulSet set, Pod pod)
    {
        var prefix = set.Metadata.Name + "-";
        var name = pod.Metadata.Name;
        return name.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal)
            && ordinal.ToString(CultureInfo.InvariantCulture) == name[prefix.Length..]
                ? ordinal
                : -1;
    }

    public static string ClaimName(StatefulSet set, PersistentVolumeClaim template, int ordinal) =>
        $"{template.Metadata.Name}-{set.Metadata.Name}-{ordinal}";

    public static Pod New(StatefulSet set, int ordinal, string revision)
    {
        var name = $"{set.Metadata.Name}-{ordinal}";
        var pod = PodTemplates.NewPod(set.Spec!.Template, set.Metadata, ResourceKinds.StatefulSet);
        pod.Metadata.GenerateName = "";
        pod.Metadata.Name = name;
        pod.Metadata.Labels[PodNameLabel] = name;
        pod.Metadata.Labels[PodIndexLabel] = ordinal.ToString(CultureInfo.InvariantCulture);
        pod.Metadata.Labels[RevisionLabel] = revision;
        pod.Spec.Hostname = name;
        pod.Spec.Subdomain = set.Spec.ServiceName;
        foreach (var template in set.Spec.VolumeClaimTemplates)
        {
            // The claim replaces any template volume of the same name (updateStorage).
            var existing = pod.Spec.Volumes.FirstOrDefault(v => v.Name == template.Metadata.Name);
            if (existing is not null)
            {
                pod.Spec.Volumes.Remove(existing);
            }

            pod.Spec.Volumes.Add(new Volume
            {
                Name = template.Metadata.Name,
                PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = ClaimName(set, template, ordinal) },
            });
        }

        return pod;
    }

    /// <summary>The claim for one template and ordinal, labelled with the set's selector so it can be found again.</summary>
    public static PersistentVolumeClaim NewClaim(StatefulSet set, PersistentVolumeClaim template, int ordinal)
    {
        var claim = new PersistentVolumeClaim
        {
            Metadata = new ObjectMeta { Namespace = set.Metadata.Namespace, Name = ClaimName(set, template, ordinal) },
            Spec = template.Spec?.Clone() ?? new PersistentVolumeClaimSpec(),
        };
        claim.Metadata.Labels.Add(template.Metadata.Labels);
        claim.Metadata.Annotations.Add(template.Metadata.Annotations);
        if (set.Spec?.Selector is { } selector)
        {
            claim.Metadata.Labels.Add(selector.MatchLabels);
        }

        return claim;
    }

    public static bool IsRunningAndReady(Pod pod) => pod.Status?.Phase == "Running" && PodConditions.IsReady(pod);
}
