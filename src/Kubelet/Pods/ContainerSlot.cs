using KubeMesh.Api.Core.V1;
using KubeMesh.Kubelet.Runtime;

namespace KubeMesh.Kubelet.Pods;

/// <summary>
/// What a pod worker knows about one container of its pod across instances: the current instance (running, or
/// terminated), the previous instance's end (status.lastState), restarts, why it waits, and its readiness.
/// </summary>
public sealed class ContainerSlot(Container spec, bool isInit)
{
    public Container Spec { get; } = spec;

    public string Name => Spec.Name;

    public bool IsInit { get; } = isInit;

    /// <summary>The current instance, while the runtime knows it.</summary>
    public ContainerHandle? Handle { get; set; }

    public string ContainerId { get; set; } = "";

    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>How the current instance ended; null while it runs or before it ever ran.</summary>
    public ContainerStateTerminated? Terminated { get; set; }

    /// <summary>How the instance before the current one ended (status.lastState.terminated).</summary>
    public ContainerStateTerminated? Previous { get; set; }

    public int RestartCount { get; set; }

    /// <summary>Why the container is not running now (CrashLoopBackOff, ErrImagePull, CreateContainerConfigError...).</summary>
    public ContainerStateWaiting? Waiting { get; set; }

    /// <summary>Readiness of the running instance; true without a readiness probe, set by the prober otherwise.</summary>
    public bool Ready { get; set; }

    /// <summary>Whether the current instance has been ready at least once.</summary>
    public bool WasReady { get; set; }

    /// <summary>Whether the startup probe passed (true without one); liveness and readiness wait for it.</summary>
    public bool StartupPassed { get; set; }

    /// <summary>Probes the current instance; stopped when it ends.</summary>
    public Probes.ContainerProber? Prober { get; set; }

    /// <summary>When the container may be restarted after its last failure.</summary>
    public DateTimeOffset? RetryAt { get; set; }

    /// <summary>The restart back-off delay set by the last restart, for the CrashLoopBackOff message.</summary>
    public TimeSpan BackOffDelay { get; set; }

    /// <summary>When the image may be tried again after a failed pull.</summary>
    public DateTimeOffset? PullRetryAt { get; set; }

    public string PullError { get; set; } = "";

    public bool IsRunning => Handle is not null && Terminated is null;

    public bool HasRun => Terminated is not null || Handle is not null;

    public bool Succeeded => Terminated is { ExitCode: 0 } && !IsRunning;

    /// <summary>Records the end of the current instance.</summary>
    public void MarkExited(Runtime.ContainerStatus status)
    {
        Terminated = new ContainerStateTerminated
        {
            ExitCode = status.ExitCode ?? -1,
            Signal = status.Signal ?? 0,
            Reason = string.IsNullOrEmpty(status.Reason) ? (status.ExitCode == 0 ? "Completed" : "Error") : status.Reason,
            Message = status.Message,
            StartedAt = KubeTime.Stamp(status.StartedAt),
            FinishedAt = KubeTime.Stamp(status.FinishedAt ?? DateTimeOffset.UtcNow),
            ContainerId = ContainerId,
        };
        Ready = false;
        StartupPassed = false;
        Prober?.Stop();
        Prober = null;
    }

    /// <summary>A new instance took over: the ended one becomes lastState, and it counts as a restart if one ran before.</summary>
    public void MarkStarted(ContainerHandle handle, string containerId)
    {
        if (Terminated is not null)
        {
            Previous = Terminated;
            RestartCount++;
        }

        Handle = handle;
        ContainerId = containerId;
        StartedAt = handle.StartedAt;
        Terminated = null;
        Waiting = null;
        WasReady = false;
    }
}
