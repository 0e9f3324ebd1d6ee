namespace KubeMesh.Kubelet.Runtime;

/// <summary>
/// The kubelet's per-container restart back-off (CrashLoopBackOff, ImagePullBackOff): 10 s doubling to
/// 5 min by default; a key that has not failed for twice the maximum starts again from the initial delay.
/// </summary>
public sealed class ContainerBackOff(TimeSpan initial, TimeSpan max, TimeProvider time)
{
    private readonly Dictionary<string, (TimeSpan Delay, DateTimeOffset LastFailure)> _entries = [];
    private readonly Lock _lock = new();

    public ContainerBackOff()
        : this(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), TimeProvider.System)
    {
    }

    /// <summary>Records a failure of <paramref name="key"/> (pod uid + container name) and returns the delay before the next try.</summary>
    public TimeSpan Next(string key)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            var delay = _entries.TryGetValue(key, out var entry) && now - entry.LastFailure < max * 2
                ? TimeSpan.FromTicks(Math.Min(entry.Delay.Ticks * 2, max.Ticks))
                : initial;
            _entries[key] = (delay, now);
            return delay;
        }
    }

    /// <summary>True while the delay set by the last failure has not passed: the container waits in back-off.</summary>
    public bool IsInBackOff(string key)
    {
        lock (_lock)
        {
            return _entries.TryGetValue(key, out var entry) && time.GetUtcNow() - entry.LastFailure < entry.Delay;
        }
    }

    public void Reset(string key)
    {
        lock (_lock)
        {
            _entries.Remove(key);
        }
    }
}
