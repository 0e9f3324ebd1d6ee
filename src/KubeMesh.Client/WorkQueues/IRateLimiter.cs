namespace KubeMesh.Client;

/// <summary>Decides how long an item waits before its next retry (client-go's workqueue.RateLimiter).</summary>
public interface IRateLimiter<in TKey>
{
    /// <summary>The wait before the item's next retry; counts the retry.</summary>
    TimeSpan When(TKey item);

    /// <summary>Stops tracking the item: it succeeded, or the caller gave up on it.</summary>
    void Forget(TKey item);

    int NumRequeues(TKey item);
}
