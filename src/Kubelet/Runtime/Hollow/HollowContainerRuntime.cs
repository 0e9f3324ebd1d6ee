using System.Collections.Concurrent;

namespace KubeMesh.Kubelet.Runtime.Hollow;

/// <summary>
/// The container runtime of a hollow node (kubemark's fake runtime): it starts nothing. A container is running once
/// <see cref="HollowRuntimeOptions.StartDelay"/> has passed; one meant to end by itself (an init container, a pod whose
/// restartPolicy is not Always) exits 0 after <see cref="HollowRuntimeOptions.CompletionDelay"/>; a stop ends it at once
/// with exit 0; exec succeeds with no output. Nothing outlives the process, so there is nothing to clean up at start.
/// </summary>
public sealed class HollowContainerRuntime(HollowRuntimeOptions options, TimeProvider time) : IContainerRuntime
{
    private readonly ConcurrentDictionary<string, HollowContainer> _containers = new();

    /// <summary>Nothing runs, so nothing needs isolating.</summary>
    public IsolationMode Isolation => IsolationMode.None;

    /// <summary>Null: a container that uses no CPU is within any limit, so none needs a warning.</summary>
    public string? CpuLimitsNotEnforcedReason => null;

    /// <summary>How many container instances the runtime knows (running or exited and not yet removed).</summary>
    public int Count => _containers.Count;

    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<ContainerHandle> StartContainerAsync(PodSandbox sandbox, ContainerSpec spec, CancellationToken cancellationToken)
    {
        if (options.StartDelay > TimeSpan.Zero)
        {
            await Task.Delay(options.StartDelay, time, cancellationToken);
        }

        var handle = new ContainerHandle(Guid.NewGuid().ToString("N")[..16], sandbox.PodUid, spec.Name, spec.Attempt, 0, time.GetUtcNow());
        var container = new HollowContainer(handle);
        _containers[handle.Id] = container;
        if (spec.RunsToCompletion)
        {
            container.CompleteAfter(options.CompletionDelay, time);
        }

        return handle;
    }

    public ContainerStatus GetStatus(ContainerHandle handle) => Get(handle).Current;

    public Task<ContainerStatus> WaitForExitAsync(ContainerHandle handle, CancellationToken cancellationToken) =>
        Get(handle).Exited.WaitAsync(cancellationToken);

    public Task<ContainerStatus> StopContainerAsync(ContainerHandle handle, TimeSpan gracePeriod, CancellationToken cancellationToken = default) =>
        Task.FromResult(Get(handle).Exit(time.GetUtcNow(), "Completed"));

    public Task<ExecResult> ExecAsync(ContainerHandle handle, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Get(handle);
        return Task.FromResult(new ExecResult(0, "", false));
    }

    public Task<int> ExecStreamingAsync(
        ContainerHandle handle, IReadOnlyList<string> command, Func<bool, ReadOnlyMemory<byte>, Task> output, CancellationToken cancellationToken,
        Func<Stream, CancellationToken, Task>? stdin = null)
    {
        Get(handle);
        return Task.FromResult(0);
    }

    public void RemoveContainer(ContainerHandle handle) => _containers.TryRemove(handle.Id, out _);

    private HollowContainer Get(ContainerHandle handle) =>
        _containers.TryGetValue(handle.Id, out var container)
            ? container
            : throw new KeyNotFoundException($"container {handle.Id} ({handle.ContainerName}) is not known to this runtime");
}
