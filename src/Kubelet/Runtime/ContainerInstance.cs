using System.Diagnostics;

namespace KubeMesh.Kubelet.Runtime;

/// <summary>A running or exited container process as the runtime tracks it.</summary>
internal sealed class ContainerInstance(ContainerHandle handle, Process process, IReadOnlyDictionary<string, string> env, string message)
{
    private readonly TaskCompletionSource<ContainerStatus> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _killed;

    public ContainerHandle Handle { get; } = handle;

    public Process Process { get; } = process;

    public IReadOnlyDictionary<string, string> Env { get; } = env;

    public Task<ContainerStatus> Exited => _exited.Task;

    public ContainerStatus Current => _exited.Task.IsCompletedSuccessfully
        ? _exited.Task.Result
        : new ContainerStatus(Handle.Id, ContainerState.Running, Handle.StartedAt) { Message = message };

    /// <summary>unshare cannot report a PID 1 killed by SIGKILL, so the runtime remembers sending it.</summary>
    public void MarkKilled() => _killed = true;

    public ContainerStatus Complete()
    {
        var exitCode = _killed ? 128 + NativeMethods.SigKill : Process.ExitCode;
        var status = new ContainerStatus(Handle.Id, ContainerState.Exited, Handle.StartedAt)
        {
            ExitCode = exitCode,
            Signal = exitCode > 128 ? exitCode - 128 : null,
            FinishedAt = DateTimeOffset.UtcNow,
            Reason = exitCode == 0 ? "Completed" : "Error",
            Message = message,
        };
        _exited.TrySetResult(status);
        return status;
    }
}
