using Microsoft.Extensions.Time.Testing;

namespace KubeMesh.Client.Tests;

/// <summary>
/// The queue's delays run on a fake clock, so every wait is exact; "nothing to hand out" is checked on the spot, since
/// a queue holding a key hands it out synchronously.
/// </summary>
public sealed class WorkQueueTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UnixEpoch);

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
        using var queue = new WorkQueue<string>(new ExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10)), _clock);

        queue.AddRateLimited("a");
        _clock.Advance(TimeSpan.FromMilliseconds(99));
        await AssertNothingAsync(queue);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var (item, _) = await queue.GetAsync().WaitAsync(Short);
        queue.Done(item);

        queue.AddRateLimited("a");
        _clock.Advance(TimeSpan.FromMilliseconds(199));
        await AssertNothingAsync(queue);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(("a", false), await queue.GetAsync().WaitAsync(Short));

        Assert.Equal(2, queue.NumRequeues("a"));
        queue.Forget("a");
        Assert.Equal(0, queue.NumRequeues("a"));
    }

    [Fact]
    public async Task AddAfter_EarlierDelayForSameKey_Wins()
    {
        using var queue = new WorkQueue<string>(timeProvider: _clock);
        queue.AddAfter("a", TimeSpan.FromSeconds(30));
        queue.AddAfter("a", TimeSpan.FromMilliseconds(50));

        _clock.Advance(TimeSpan.FromMilliseconds(50));

        Assert.Equal(("a", false), await queue.GetAsync().WaitAsync(Short));
        queue.Done("a");
        _clock.Advance(TimeSpan.FromSeconds(30));
        await AssertNothingAsync(queue);
    }

    [Fact]
    public async Task AddAfter_BeforeDelay_IsNotAvailable()
    {
        using var queue = new WorkQueue<string>(timeProvider: _clock);
        queue.AddAfter("a", TimeSpan.FromMilliseconds(400));

        _clock.Advance(TimeSpan.FromMilliseconds(399));
        await AssertNothingAsync(queue);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(("a", false), await queue.GetAsync().WaitAsync(Short));
    }

    [Fact]
    public async Task AddAfter_DelayBeyondWhatATimerTakes_IsAvailableWhenDue()
    {
        using var queue = new WorkQueue<string>(timeProvider: _clock);
        queue.AddAfter("yearly", TimeSpan.FromDays(365));

        _clock.Advance(TimeSpan.FromDays(364));
        await AssertNothingAsync(queue);
        _clock.Advance(TimeSpan.FromDays(1));

        Assert.Equal(("yearly", false), await queue.GetAsync().WaitAsync(Short));
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

    /// <summary>A queue holding a key hands it out at once, so a get still pending proves there is none.</summary>
    private static async Task AssertNothingAsync<T>(WorkQueue<T> queue)
        where T : notnull
    {
        using var cts = new CancellationTokenSource();
        var get = queue.GetAsync(cts.Token);
        Assert.False(get.IsCompleted, $"the queue handed out {(get.IsCompletedSuccessfully ? get.Result.Item : default)}");
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => get);
    }
}
