using KubeMesh.Api.Batch.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.Api.Selectors;
using KubeMesh.ControllerManager.Controllers.Common;

namespace KubeMesh.ControllerManager.Controllers.Jobs;

/// <summary>
/// The labels that tie a Job's pods to it. Kubernetes' api-server writes them into the Job's selector and template;
/// here the template is left as written and the controller stamps every pod it creates, selecting on the Job's UID.
/// </summary>
internal static class JobPods
{
    public const string ControllerUid = "batch.kubernetes.io/controller-uid";
    public const string JobName = "batch.kubernetes.io/job-name";
    public const string LegacyControllerUid = "controller-uid";
    public const string LegacyJobName = "job-name";

    public static LabelSelectorExpression Selector(Job job) =>
        job.Spec?.HasManualSelector == true && job.Spec.ManualSelector && job.Spec.Selector is not null
            ? LabelSelectorExpression.FromProto(job.Spec.Selector)
            : LabelSelectorExpression.FromProto(new LabelSelector { MatchLabels = { [ControllerUid] = job.Metadata.Uid } });

    public static Pod New(Job job)
    {
        var pod = PodTemplates.NewPod(job.Spec!.Template, job.Metadata, ResourceKinds.Job);
        var labels = pod.Metadata.Labels;
        labels[ControllerUid] = job.Metadata.Uid;
        labels[JobName] = job.Metadata.Name;
        labels[LegacyControllerUid] = job.Metadata.Uid;
        labels[LegacyJobName] = job.Metadata.Name;
        return pod;
    }

    /// <summary>Container restarts count against backoffLimit when the pods restart in place (restartPolicy OnFailure).</summary>
    public static int Restarts(IEnumerable<Pod> pods) =>
        pods.Where(p => p.Spec?.RestartPolicy == "OnFailure")
            .Sum(p => (p.Status?.ContainerStatuses.Sum(c => c.RestartCount) ?? 0) + (p.Status?.InitContainerStatuses.Sum(c => c.RestartCount) ?? 0));

    public static bool IsSucceeded(Pod pod) => pod.Status?.Phase == "Succeeded";

    public static bool IsFailed(Pod pod) => pod.Status?.Phase == "Failed";

    /// <summary>When a finished pod ended (kube's getFinishedTime): its last container's end, else its deletion, else now.</summary>
    public static DateTimeOffset FinishedAt(Pod pod, DateTimeOffset now)
    {
        var ends = (pod.Status?.ContainerStatuses ?? [])
            .Where(c => c.State?.Terminated?.FinishedAt is not null)
            .Select(c => c.State.Terminated.FinishedAt.ToDateTimeOffset())
            .ToList();
        return ends.Count > 0 ? ends.Max()
            : pod.Metadata.DeletionTimestamp is { } deleted ? deleted.ToDateTimeOffset()
            : now;
    }
}
