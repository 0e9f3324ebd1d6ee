namespace KubeMesh.Kubelet.Runtime.Hollow;

/// <summary>One container instance of the hollow runtime: running from its start until it completes or is stopped, once.</summary>
internal sealed class HollowContainer(ContainerHandle handle)
{
    private readonly TaskCompletionSource<ContainerStatus> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITimer? _completion;

    public ContainerHandle Handle { get; } = handle;

    public Task<ContainerStatus> Exited => _exited.Task;

    public ContainerStatus Current => _exited.Task.IsCompleted
        ? _exited.Task.Result
        : new ContainerStatus(Handle.Id, ContainerState.Running, Handle.StartedAt);

    /// <summary>Ends the container with exit code 0 after <paramref name="delay"/>, as a program that finishes its work.</summary>
    public void CompleteAfter(TimeSpan delay, TimeProvider time) =>
        _completion = time.CreateTimer(_ => Exit(time.GetUtcNow(), "Completed"), null, delay, Timeout.InfiniteTimeSpan);

    /// <summary>Ends the container now, exit code 0: what a program that handles SIGTERM does when stopped.</summary>
    public ContainerStatus Exit(DateTimeOffset now, string reason)
    {
        _completion?.Dispose();
        _exited.TrySetResult(new ContainerStatus(Handle.Id, ContainerState.Exited, Handle.StartedAt)
        {
            ExitCode = 0,
            FinishedAt = now,
            Reason = reason,
        });
        return _exited.Task.Result;
    }
}
