namespace KubeMesh.Client.Tests;

public sealed class WorkQueueTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(150);

    [Fact]
    public async Task Add_SameKeyWhileQueued_IsHandedOutOnce()
    {
        using var queue = new WorkQueue<string>();
        queue.Add("a");
        queue.Add("b");
        queue.Add("a");

        Assert.Equal(2, queue.Count);
        Assert.Equal(("a", false), await queue.GetAsync().WaitAsync(Short));
        Assert.Equal(("b", false), await queue.GetAsync().WaitAsync(Short));
        await AssertNothingAsync(queue);
    }

    [Fact]
    public async Task Add_WhileProcessing_IsNotHandedOutUntilDone()
    {
        using var queue = new WorkQueue<string>();
        queue.Add("a");
        var (item, _) = await queue.GetAsync().WaitAsync(Short);

        queue.Add("a");
        queue.Add("a");
        await AssertNothingAsync(queue);

        queue.Done(item);
        Assert.Equal(("a", false), await queue.GetAsync().WaitAsync(Short));
        queue.Done("a");
        await AssertNothingAsync(queue);
    }

    [Fact]
    public async Task Done_WithoutReAdd_DoesNotRequeue()
    {
        using var queue = new WorkQueue<int>();
        queue.Add(1);
        var (item, _) = await queue.GetAsync().WaitAsync(Short);
        queue.Done(item);

        Assert.Equal(0, queue.Count);
        await AssertNothingAsync(queue);
    }

    [Fact]
    public async Task GetAsync_ConcurrentWorkers_NeverShareAKey()
    {
        using var queue = new WorkQueue<int>();
        var processing = new HashSet<int>();
        var processed = 0;
        var overlap = false;
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var (item, shutDown) = await queue.GetAsync();
                if (shutDown)
                {
                    return;
                }

                lock (processing)
                {
                    overlap |= !processing.Add(item);
                }

                await Task.Delay(1);
                lock (processing)
                {
                    processing.Remove(item);
                }

                Interlocked.Increment(ref processed);
                queue.Done(item);
            }
        })).ToArray();

        for (var i = 0; i < 500; i++)
        {
            queue.Add(i % 5);
            if (i % 50 == 0)
            {
                await Task.Delay(2);
            }
        }

        await Eventually.Until(() => queue.Count == 0, TimeSpan.FromSeconds(10), "the queue drains");
        queue.ShutDown();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(overlap);
        Assert.InRange(processed, 5, 500);
    }

    [Fact]
    public void ExponentialFailureRateLimiter_When_DoublesUpToMaxAndForgetResets()
    {
        var limiter = new ExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(100));

        var delays = Enumerable.Range(0, 7).Select(_ => limiter.When("a").TotalMilliseconds).ToArray();

        Assert.Equal([5, 10, 20, 40, 80, 100, 100], delays);
        Assert.Equal(7, limiter.NumRequeues("a"));
        Assert.Equal(5, limiter.When("b").TotalMilliseconds);
        limiter.Forget("a");
        Assert.Equal(0, limiter.NumRequeues("a"));
        Assert.Equal(5, limiter.When("a").TotalMilliseconds);
    }

    [Fact]
    public void ExponentialFailureRateLimiter_ManyFailures_StaysAtDefaultMax()
    {
        var limiter = new ExponentialFailureRateLimiter<string>();
        for (var i = 0; i < 2000; i++)
        {
            limiter.When("a");
        }

        Assert.Equal(TimeSpan.FromSeconds(1000), limiter.When("a"));
    }

    [Fact]
    public async Task AddRateLimited_RepeatedFailures_WaitLongerEachTime()
    {
        using var queue = new WorkQueue<string>(new ExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10)));

        queue.AddRateLimited("a");
        Assert.Equal(0, queue.Count);
        var started = DateTime.UtcNow;
        var (item, _) = await queue.GetAsync().WaitAsync(TimeSpan.FromSeconds(5));
        var first = DateTime.UtcNow - started;
        queue.Done(item);

        queue.AddRateLimited("a");
        started = DateTime.UtcNow;
        await queue.GetAsync().WaitAsync(TimeSpan.FromSeconds(5));
        var second = DateTime.UtcNow - started;

        Assert.InRange(first.TotalMilliseconds, 90, 1000);
        Assert.InRange(second.TotalMilliseconds, 190, 2000);
        Assert.Equal(2, queue.NumRequeues("a"));
        queue.Forget("a");
        Assert.Equal(0, queue.NumRequeues("a"));
    }

    [Fact]
    public async Task AddAfter_EarlierDelayForSameKey_Wins()
    {
        using var queue = new WorkQueue<string>();
        queue.AddAfter("a", TimeSpan.FromSeconds(30));
        queue.AddAfter("a", TimeSpan.FromMilliseconds(50));

        Assert.Equal(("a", false), await queue.GetAsync().WaitAsync(TimeSpan.FromSeconds(5)));
        queue.Done("a");
        await AssertNothingAsync(queue);
    }

    [Fact]
    public async Task AddAfter_BeforeDelay_IsNotAvailable()
    {
        using var queue = new WorkQueue<string>();
        queue.AddAfter("a", TimeSpan.FromMilliseconds(400));

        await AssertNothingAsync(queue, TimeSpan.FromMilliseconds(200));
        Assert.Equal(("a", false), await queue.GetAsync().WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task ShutDown_WakesEveryWaiterAfterDrainingQueuedKeys()
    {
        using var queue = new WorkQueue<string>();
        var waiters = Enumerable.Range(0, 3).Select(_ => queue.GetAsync()).ToArray();
        queue.Add("a");
        queue.ShutDown();
        queue.Add("b");

        var results = await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Single(results, r => r is ("a", false));
        Assert.Equal(2, results.Count(r => r.ShutDown));
        Assert.True((await queue.GetAsync().WaitAsync(Short)).ShutDown);
        Assert.True(queue.IsShuttingDown);
    }

    private static async Task AssertNothingAsync<T>(WorkQueue<T> queue, TimeSpan? wait = null)
        where T : notnull
    {
        using var cts = new CancellationTokenSource(wait ?? Short);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.GetAsync(cts.Token));
    }
}
