using KubeMesh.Api.Core.V1;

namespace KubeMesh.ControllerManager.Controllers.Common;

/// <summary>
/// controller.ActivePods: orders pods so the ones cheapest to lose come first: unscheduled before scheduled,
/// Pending before Unknown before Running, not ready before ready, ready for less time first, more restarts
/// first, newer before older.
/// </summary>
internal sealed class ActivePodsComparer : IComparer<Pod>
{
    public static ActivePodsComparer Instance { get; } = new();

    public int Compare(Pod? x, Pod? y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        int c;
        if ((c = Scheduled(x).CompareTo(Scheduled(y))) != 0 ||
            (c = PhaseRank(x).CompareTo(PhaseRank(y))) != 0 ||
            (c = PodConditions.IsReady(x).CompareTo(PodConditions.IsReady(y))) != 0)
        {
            return c;
        }

        if (PodConditions.IsReady(x) && (c = ReadySince(y).CompareTo(ReadySince(x))) != 0)
        {
            return c;
        }

        if ((c = Restarts(y).CompareTo(Restarts(x))) != 0)
        {
            return c;
        }

        return Created(y).CompareTo(Created(x));
    }

    private static bool Scheduled(Pod pod) => !string.IsNullOrEmpty(pod.Spec?.NodeName);

    private static int PhaseRank(Pod pod) => pod.Status?.Phase switch
    {
        "Pending" => 0,
        "Unknown" => 1,
        "Running" => 2,
        _ => 0,
    };

    private static DateTimeOffset ReadySince(Pod pod) =>
        PodConditions.ReadyCondition(pod)?.LastTransitionTime?.ToDateTimeOffset() ?? DateTimeOffset.MinValue;

    private static int Restarts(Pod pod) => pod.Status?.ContainerStatuses.Sum(s => s.RestartCount) ?? 0;

    private static DateTimeOffset Created(Pod pod) => pod.Metadata.CreationTimestamp?.ToDateTimeOffset() ?? DateTimeOffset.MinValue;
}
