using KubeMesh.Api.Core.V1;

namespace KubeMesh.Scheduler;

/// <summary>
/// Which pod updates matter to scheduling (kube-scheduler's isPodUpdated): anything but status and bookkeeping,
/// including the scheduling results the scheduler writes itself.
/// </summary>
internal static class PodChanges
{
    public static bool SchedulingRelevant(Pod oldPod, Pod newPod) => !Equals(Strip(oldPod), Strip(newPod));

    public static bool LabelsEqual(Pod oldPod, Pod newPod) =>
        Equals(oldPod.Metadata?.Labels, newPod.Metadata?.Labels);

    private static Pod Strip(Pod pod)
    {
        var copy = pod.Clone();
        copy.Status = null;
        if (copy.Metadata is not null)
        {
            copy.Metadata.ResourceVersion = "";
            copy.Metadata.Generation = 0;
            foreach (var key in copy.Metadata.Annotations.Keys.Where(Results.SchedulingResults.IsResultAnnotation).ToList())
            {
                copy.Metadata.Annotations.Remove(key);
            }
        }

        return copy;
    }
}
