namespace KubeMesh.Kubelet.Pods;

/// <summary>Wakes a pod worker: many sets before a wait count as one, like a channel of capacity one.</summary>
internal sealed class AsyncSignal
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _set = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Set()
    {
        lock (_lock)
        {
            _set.TrySetResult();
        }
    }

    /// <summary>Returns when set, or after <paramref name="timeout"/> (null waits for a set only).</summary>
    public async Task WaitAsync(TimeSpan? timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        Task set;
        lock (_lock)
        {
            set = _set.Task;
        }

        try
        {
            await (timeout is { } t ? set.WaitAsync(t < TimeSpan.Zero ? TimeSpan.Zero : t, time, cancellationToken) : set.WaitAsync(cancellationToken));
        }
        catch (TimeoutException)
        {
        }

        lock (_lock)
        {
            if (_set.Task.IsCompleted)
            {
                _set = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }
}
