namespace KubeMesh.Client;

/// <summary>
/// Several rate limiters at once (client-go's MaxOfRateLimiter): an item waits the longest of their delays; every
/// limiter counts the retry and forgets the item.
/// </summary>
public sealed class MaxOfRateLimiter<TKey>(params IRateLimiter<TKey>[] limiters) : IRateLimiter<TKey>
{
    public TimeSpan When(TKey item)
    {
        var longest = TimeSpan.Zero;
        foreach (var limiter in limiters)
        {
            var delay = limiter.When(item);
            if (delay > longest)
            {
                longest = delay;
            }
        }

        return longest;
    }

    public void Forget(TKey item)
    {
        foreach (var limiter in limiters)
        {
            limiter.Forget(item);
        }
    }

    public int NumRequeues(TKey item) => limiters.Max(l => l.NumRequeues(item));
}
