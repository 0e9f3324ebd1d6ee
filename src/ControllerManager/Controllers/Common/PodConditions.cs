using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.ControllerManager.Controllers.Common;

/// <summary>podutil: readiness and availability as the workload controllers judge them.</summary>
internal static class PodConditions
{
    public const string Ready = "Ready";

    public static Condition? ReadyCondition(Pod pod) => pod.Status?.Conditions.FirstOrDefault(c => c.Type == Ready);

    public static bool IsReady(Pod pod) => ReadyCondition(pod)?.Status == "True";

    /// <summary>Ready for at least minReadySeconds (podutil.IsPodAvailable).</summary>
    public static bool IsAvailable(Pod pod, int minReadySeconds, DateTimeOffset now)
    {
        var ready = ReadyCondition(pod);
        if (ready?.Status != "True")
        {
            return false;
        }

        return minReadySeconds == 0
            || (ready.LastTransitionTime is { } since && since.ToDateTimeOffset().AddSeconds(minReadySeconds) <= now);
    }

    /// <summary>Neither finished nor being deleted (controller.IsPodActive).</summary>
    public static bool IsActive(Pod pod) =>
        pod.Status?.Phase is not ("Succeeded" or "Failed") && pod.Metadata.DeletionTimestamp is null;

    public static bool IsTerminating(Pod pod) => pod.Metadata.DeletionTimestamp is not null;
}
