namespace KubeMesh.Kubelet.Runtime;

/// <summary>
/// What a pod worker calls to run a pod's containers, like the CRI runtime service: local processes on a real node
/// (<see cref="ProcessContainerRuntime"/>), nothing at all on a hollow one (<see cref="Hollow.HollowContainerRuntime"/>).
/// </summary>
public interface IContainerRuntime
{
    /// <summary>How containers are isolated on this node; decided once by probing at startup.</summary>
    IsolationMode Isolation { get; }

    /// <summary>Why CPU limits are not enforced on this node (no writable cgroups), or null when they are.</summary>
    string? CpuLimitsNotEnforcedReason { get; }

    /// <summary>Readies the runtime before any pod is synced, such as killing what an earlier run left; runs once.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Starts one container instance. Unknown images throw <see cref="ImagePullException"/>.</summary>
    Task<ContainerHandle> StartContainerAsync(PodSandbox sandbox, ContainerSpec spec, CancellationToken cancellationToken);

    ContainerStatus GetStatus(ContainerHandle handle);

    Task<ContainerStatus> WaitForExitAsync(ContainerHandle handle, CancellationToken cancellationToken);

    /// <summary>SIGTERM, then SIGKILL to the whole container once <paramref name="gracePeriod"/> has passed.</summary>
    Task<ContainerStatus> StopContainerAsync(ContainerHandle handle, TimeSpan gracePeriod, CancellationToken cancellationToken = default);

    /// <summary>Runs a command in the container's own view of files, to its timeout (exec probes).</summary>
    Task<ExecResult> ExecAsync(ContainerHandle handle, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs a command in the container as <see cref="ExecAsync"/> does, without a timeout or an output limit, handing
    /// each chunk of its stdout (false) or stderr (true) to <paramref name="output"/> as it comes, one at a time
    /// (kmctl exec). With <paramref name="stdin"/> the command's stdin is handed to it to write (kubectl exec -i) and
    /// closed when it returns; without, stdin is closed at once. Cancelling kills the command. Returns its exit code.
    /// </summary>
    Task<int> ExecStreamingAsync(
        ContainerHandle handle, IReadOnlyList<string> command, Func<bool, ReadOnlyMemory<byte>, Task> output, CancellationToken cancellationToken,
        Func<Stream, CancellationToken, Task>? stdin = null);

    /// <summary>Forgets an exited container; its logs stay in the log store.</summary>
    void RemoveContainer(ContainerHandle handle);
}
