namespace KubeMesh.Client;

/// <summary>
/// Per-item exponential backoff (client-go's ItemExponentialFailureRateLimiter): baseDelay * 2^failures, capped at
/// maxDelay. The controller default is 5 ms to 1000 s, so a failing item is retried quickly at first and then
/// settles at one try every ~17 minutes without starving other items.
/// </summary>
public sealed class ExponentialFailureRateLimiter<TKey>(TimeSpan baseDelay, TimeSpan maxDelay) : IRateLimiter<TKey>
    where TKey : notnull
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TKey, int> _failures = [];

    public ExponentialFailureRateLimiter()
        : this(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000))
    {
    }

    public TimeSpan When(TKey item)
    {
        int exponent;
        lock (_lock)
        {
            _failures.TryGetValue(item, out exponent);
            _failures[item] = exponent + 1;
        }

        var delay = baseDelay.TotalMilliseconds * Math.Pow(2, exponent);
        return delay >= maxDelay.TotalMilliseconds || double.IsInfinity(delay) ? maxDelay : TimeSpan.FromMilliseconds(delay);
    }

    public void Forget(TKey item)
    {
        lock (_lock)
        {
            _failures.Remove(item);
        }
    }

    public int NumRequeues(TKey item)
    {
        lock (_lock)
        {
            return _failures.GetValueOrDefault(item);
        }
    }
}
