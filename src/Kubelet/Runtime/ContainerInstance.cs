using System.Diagnostics;
using KubeMesh.Kubelet.Runtime.Cgroups;

namespace KubeMesh.Kubelet.Runtime;

/// <summary>A running or exited container process as the runtime tracks it.</summary>
internal sealed class ContainerInstance(ContainerHandle handle, Process process, IReadOnlyDictionary<string, string> env, string message,
    ContainerCgroup? cgroup)
{
    private readonly TaskCompletionSource<ContainerStatus> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _killed;
    private volatile bool _overMemoryLimit;

    public ContainerHandle Handle { get; } = handle;

    public Process Process { get; } = process;

    public IReadOnlyDictionary<string, string> Env { get; } = env;

    /// <summary>The container's cgroup; null where the node has no writable cgroup hierarchy.</summary>
    public ContainerCgroup? Cgroup { get; } = cgroup;

    public Task<ContainerStatus> Exited => _exited.Task;

    public ContainerStatus Current => _exited.Task.IsCompletedSuccessfully
        ? _exited.Task.Result
        : new ContainerStatus(Handle.Id, ContainerState.Running, Handle.StartedAt) { Message = message };

    /// <summary>unshare cannot report a PID 1 killed by SIGKILL, so the runtime remembers sending it.</summary>
    public void MarkKilled() => _killed = true;

    /// <summary>The runtime's memory watch (no cgroups) killed the container for going over its memory limit.</summary>
    public void MarkKilledOverMemoryLimit()
    {
        _overMemoryLimit = true;
        _killed = true;
    }

    /// <param name="oomKills">How many processes the kernel killed for the cgroup's memory limit.</param>
    public ContainerStatus Complete(long oomKills)
    {
        var exitCode = _killed ? 128 + NativeMethods.SigKill : Process.ExitCode;
        var oomKilled = exitCode != 0 && (_overMemoryLimit || oomKills > 0);
        var status = new ContainerStatus(Handle.Id, ContainerState.Exited, Handle.StartedAt)
        {
            ExitCode = exitCode,
            Signal = exitCode > 128 ? exitCode - 128 : null,
            FinishedAt = DateTimeOffset.UtcNow,
            Reason = oomKilled ? "OOMKilled" : exitCode == 0 ? "Completed" : "Error",
            Message = message,
        };
        _exited.TrySetResult(status);
        return status;
    }
}
