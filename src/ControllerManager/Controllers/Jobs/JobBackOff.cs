using KubeMesh.Api.Core.V1;

namespace KubeMesh.ControllerManager.Controllers.Jobs;

/// <summary>
/// kube's backoffRecord, read from the Job's finished pods rather than kept in memory: the failures since the last
/// success and when the latest of them ended give how long a replacement pod must wait.
/// </summary>
internal static class JobBackOff
{
    /// <summary>The time left before the next pod may be created; zero when no pod has failed since the last success.</summary>
    public static TimeSpan Remaining(IReadOnlyCollection<Pod> pods, JobOptions options, DateTimeOffset now)
    {
        var lastSuccess = pods.Where(JobPods.IsSucceeded).Select(p => JobPods.FinishedAt(p, now)).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        var failures = pods.Where(JobPods.IsFailed).Select(p => JobPods.FinishedAt(p, now)).Where(t => t > lastSuccess).ToList();
        if (failures.Count == 0)
        {
            return TimeSpan.Zero;
        }

        var remaining = failures.Max() + Delay(failures.Count, options) - now;
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }

    /// <summary>The base delay doubled for each failure after the first, capped at the maximum.</summary>
    public static TimeSpan Delay(int failures, JobOptions options)
    {
        var delay = options.PodFailureBackOff;
        for (var i = 1; i < failures && delay < options.MaxPodFailureBackOff; i++)
        {
            delay *= 2;
        }

        return delay < options.MaxPodFailureBackOff ? delay : options.MaxPodFailureBackOff;
    }
}
