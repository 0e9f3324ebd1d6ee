using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Kubelet.Images;

namespace KubeMesh.Kubelet.Pods;

/// <summary>
/// The pod status the kubelet reports (generateAPIPodStatus): container statuses from the pod worker's slots,
/// the phase, the Initialized/ContainersReady/Ready conditions, pod and host IPs and the start time.
/// </summary>
public static class PodStatusBuilder
{
    public static PodStatus Build(Pod pod, IReadOnlyList<ContainerSlot> initSlots, IReadOnlyList<ContainerSlot> slots,
        string podIp, string hostIp, Timestamp? startTime, DateTimeOffset now)
    {
        var initialized = initSlots.All(s => s.Succeeded);
        var status = new PodStatus
        {
            HostIp = hostIp,
            PodIp = podIp,
            StartTime = startTime,
            QosClass = pod.Status?.QosClass ?? "",
            NominatedNodeName = pod.Status?.NominatedNodeName ?? "",
        };
        if (!string.IsNullOrEmpty(podIp))
        {
            status.PodIps.Add(new PodIP { Ip = podIp });
        }

        status.InitContainerStatuses.AddRange(initSlots.Select(s => ContainerStatusOf(s, waitingReason: "PodInitializing")));
        status.ContainerStatuses.AddRange(slots.Select(s => ContainerStatusOf(s, initialized ? "ContainerCreating" : "PodInitializing")));
        status.Phase = PodPhases.Compute(pod.Spec, status.InitContainerStatuses, status.ContainerStatuses);

        var previous = pod.Status?.Conditions ?? [];
        var completed = status.Phase == PodPhases.Succeeded;
        var incomplete = initSlots.Where(s => !s.Succeeded).Select(s => s.Name).ToList();
        var unready = slots.Where(s => !(s.IsRunning && s.Ready)).Select(s => s.Name).ToList();
        status.Conditions.Add(completed && incomplete.Count == 0
            ? Condition(previous, now, "Initialized", "True", "PodCompleted", "")
            : incomplete.Count == 0
                ? Condition(previous, now, "Initialized", "True", "", "")
                : Condition(previous, now, "Initialized", "False", "ContainersNotInitialized", $"containers with incomplete status: [{string.Join(' ', incomplete)}]"));
        foreach (var type in new[] { "Ready", "ContainersReady" })
        {
            status.Conditions.Add(completed
                ? Condition(previous, now, type, "False", "PodCompleted", "")
                : unready.Count == 0
                    ? Condition(previous, now, type, "True", "", "")
                    : Condition(previous, now, type, "False", "ContainersNotReady", $"containers with unready status: [{string.Join(' ', unready)}]"));
        }

        // Conditions owned by others (PodScheduled from the scheduler, readiness gates) are kept as they are.
        status.Conditions.AddRange(previous.Where(c => c.Type is not ("Initialized" or "Ready" or "ContainersReady")));
        if (!status.Conditions.Any(c => c.Type == "PodScheduled"))
        {
            status.Conditions.Add(Condition(previous, now, "PodScheduled", "True", "", ""));
        }

        return status;
    }

    /// <summary>The image ID as a runtime reports it: the fully qualified reference (built-in images have no digest).</summary>
    public static string ImageId(string image)
    {
        var reference = ImageReference.Parse(image);
        var repository = reference.Repository.Contains('/') ? reference.Repository : "library/" + reference.Repository;
        return $"docker.io/{repository}:{reference.Tag}";
    }

    private static ContainerStatus ContainerStatusOf(ContainerSlot slot, string waitingReason)
    {
        var status = new ContainerStatus
        {
            Name = slot.Name,
            Image = slot.Spec.Image,
            ImageId = slot.HasRun ? ImageId(slot.Spec.Image) : "",
            ContainerId = slot.ContainerId,
            RestartCount = slot.RestartCount,
            Ready = slot.IsRunning && slot.Ready,
            Started = slot.IsRunning && slot.StartupPassed,
            State = new ContainerState(),
            LastState = new ContainerState(),
        };
        if (slot.IsRunning)
        {
            status.State.Running = new ContainerStateRunning { StartedAt = KubeTime.Stamp(slot.StartedAt ?? DateTimeOffset.UtcNow) };
            status.LastState.Terminated = slot.Previous;
        }
        else if (slot.Waiting is not null)
        {
            status.State.Waiting = slot.Waiting;
            status.LastState.Terminated = slot.Terminated ?? slot.Previous;
        }
        else if (slot.Terminated is not null)
        {
            status.State.Terminated = slot.Terminated;
            status.LastState.Terminated = slot.Previous;
        }
        else
        {
            status.State.Waiting = new ContainerStateWaiting { Reason = waitingReason };
        }

        return status;
    }

    private static Condition Condition(IEnumerable<Condition> previous, DateTimeOffset now, string type, string status, string reason, string message)
    {
        var old = previous.FirstOrDefault(c => c.Type == type);
        return new Condition
        {
            Type = type,
            Status = status,
            Reason = reason,
            Message = message,
            LastTransitionTime = old is not null && old.Status == status && old.LastTransitionTime is not null ? old.LastTransitionTime : KubeTime.Stamp(now),
        };
    }
}
