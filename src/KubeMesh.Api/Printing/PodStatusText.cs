using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Core.V1;

namespace KubeMesh.Api.Printing;

/// <summary>READY, STATUS and RESTARTS of a pod exactly as kubectl's printPod computes them.</summary>
public sealed record PodStatusText(int Ready, int Total, string Reason, int Restarts, Timestamp? LastRestart)
{
    public static PodStatusText Of(Pod pod)
    {
        var spec = pod.Spec ?? new PodSpec();
        var status = pod.Status ?? new KubeMesh.Api.Core.V1.PodStatus();
        var total = spec.Containers.Count + spec.InitContainers.Count(IsSidecar);
        var ready = 0;
        var restarts = 0;
        var sidecarRestarts = 0;
        Timestamp? lastRestart = null;
        Timestamp? lastSidecarRestart = null;
        var reason = status.Reason.Length > 0 ? status.Reason : status.Phase;
        if (status.Conditions.Any(c => c.Type == "PodScheduled" && c.Reason == "SchedulingGated"))
        {
            reason = "SchedulingGated";
        }

        var initContainers = spec.InitContainers.ToDictionary(c => c.Name);
        var initializing = false;
        for (var i = 0; i < status.InitContainerStatuses.Count; i++)
        {
            var container = status.InitContainerStatuses[i];
            var sidecar = initContainers.TryGetValue(container.Name, out var c) && IsSidecar(c);
            restarts += container.RestartCount;
            lastRestart = Later(lastRestart, container.LastState?.Terminated?.FinishedAt);
            if (sidecar)
            {
                sidecarRestarts += container.RestartCount;
                lastSidecarRestart = Later(lastSidecarRestart, container.LastState?.Terminated?.FinishedAt);
            }

            var terminated = container.State?.Terminated;
            var waiting = container.State?.Waiting;
            if (terminated is not null && terminated.ExitCode == 0)
            {
                continue;
            }

            if (sidecar && container.HasStarted && container.Started)
            {
                ready += container.Ready ? 1 : 0;
                continue;
            }

            if (terminated is not null)
            {
                reason = terminated.Reason.Length > 0 ? "Init:" + terminated.Reason
                    : terminated.Signal != 0 ? $"Init:Signal:{terminated.Signal}"
                    : $"Init:ExitCode:{terminated.ExitCode}";
            }
            else if (waiting is not null && waiting.Reason.Length > 0 && waiting.Reason != "PodInitializing")
            {
                reason = "Init:" + waiting.Reason;
            }
            else
            {
                reason = $"Init:{i}/{spec.InitContainers.Count}";
            }

            initializing = true;
            break;
        }

        if (!initializing || status.Conditions.Any(c => c.Type == "Initialized" && c.Status == "True"))
        {
            restarts = sidecarRestarts;
            lastRestart = lastSidecarRestart;
            var hasRunning = false;
            for (var i = status.ContainerStatuses.Count - 1; i >= 0; i--)
            {
                var container = status.ContainerStatuses[i];
                restarts += container.RestartCount;
                lastRestart = Later(lastRestart, container.LastState?.Terminated?.FinishedAt);
                var waiting = container.State?.Waiting;
                var terminated = container.State?.Terminated;
                if (waiting is not null && waiting.Reason.Length > 0)
                {
                    reason = waiting.Reason;
                }
                else if (terminated is not null)
                {
                    reason = terminated.Reason.Length > 0 ? terminated.Reason
                        : terminated.Signal != 0 ? $"Signal:{terminated.Signal}"
                        : $"ExitCode:{terminated.ExitCode}";
                }
                else if (container.Ready && container.State?.Running is not null)
                {
                    hasRunning = true;
                    ready++;
                }
            }

            if (reason == "Completed" && hasRunning)
            {
                reason = status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True") ? "Running" : "NotReady";
            }
        }

        var deleting = pod.Metadata?.DeletionTimestamp is not null;
        if (deleting && status.Reason == "NodeLost")
        {
            reason = "Unknown";
        }
        else if (deleting && status.Phase is not ("Succeeded" or "Failed"))
        {
            reason = "Terminating";
        }

        return new PodStatusText(ready, total, reason, restarts, lastRestart);
    }

    public string ReadyText => $"{Ready}/{Total}";

    /// <summary>"5" or, once a container has restarted, "5 (3m ago)".</summary>
    public string RestartsText(DateTimeOffset now) =>
        Restarts != 0 && LastRestart is not null ? $"{Restarts} ({HumanDuration.Since(LastRestart, now)} ago)" : Restarts.ToString();

    private static bool IsSidecar(Container c) => c.RestartPolicy == "Always";

    private static Timestamp? Later(Timestamp? current, Timestamp? candidate) =>
        candidate is null || (candidate.Seconds == 0 && candidate.Nanos == 0) ? current
        : current is null || candidate.CompareTo(current) > 0 ? candidate
        : current;
}
