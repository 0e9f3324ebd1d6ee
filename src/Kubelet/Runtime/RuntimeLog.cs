using Microsoft.Extensions.Logging;

namespace KubeMesh.Kubelet.Runtime;

internal static partial class RuntimeLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Container isolation: {Mode}")]
    public static partial void IsolationChosen(ILogger logger, IsolationMode mode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Container isolation is OFF: {Reason}. Containers see the node's files, /tmp is shared and volumes are not mounted")]
    public static partial void IsolationOff(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Started container {Container} of pod {PodUid} (instance {Attempt}) as PID {Pid}")]
    public static partial void ContainerStarted(ILogger logger, string container, string podUid, int attempt, int pid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Container {ContainerId} exited with code {ExitCode}")]
    public static partial void ContainerExited(ILogger logger, string containerId, int exitCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Killing container {ContainerId}: still running {GracePeriod} after SIGTERM")]
    public static partial void Escalating(ILogger logger, string containerId, TimeSpan gracePeriod);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Killed container process {Pid} left by an earlier kubelet run ({ContainerId})")]
    public static partial void OrphanKilled(ILogger logger, int pid, string containerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Container resource limits: cgroup {Version} under {Roots}")]
    public static partial void CgroupsChosen(ILogger logger, string version, string roots);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No writable cgroups ({Reason}): memory limits are enforced by watching each container's resident memory, CPU limits are NOT enforced")]
    public static partial void CgroupsOff(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CPU limit {MilliCpu}m of container {Container} of pod {PodUid} is not enforced: {Reason}")]
    public static partial void CpuLimitNotEnforced(ILogger logger, long milliCpu, string container, string podUid, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Killing container {ContainerId}: {ResidentBytes} bytes resident, over its memory limit of {LimitBytes}")]
    public static partial void OverMemoryLimit(ILogger logger, string containerId, long residentBytes, long limitBytes);
}
