namespace KubeMesh.Client;

/// <summary>The rate limiters queues are built with.</summary>
public static class RateLimiters
{
    /// <summary>
    /// client-go's DefaultControllerRateLimiter: per item, 5 ms doubling to 1000 s; overall, a bucket of 100
    /// retries refilled at 10 a second. A failing item is retried quickly at first and backs off, while a storm
    /// of failures across many items cannot retry faster than the bucket allows.
    /// </summary>
    public static IRateLimiter<TKey> DefaultController<TKey>(TimeProvider? timeProvider = null)
        where TKey : notnull =>
        new MaxOfRateLimiter<TKey>(
            new ExponentialFailureRateLimiter<TKey>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000)),
            new BucketRateLimiter<TKey>(qps: 10, burst: 100, timeProvider));
}
