using Microsoft.Extensions.Time.Testing;

namespace KubeMesh.Client.Tests;

public sealed class RateLimiterTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UnixEpoch);

    [Fact]
    public void BucketRateLimiter_BurstSpent_SpacesRetriesAtTheRateAndRefills()
    {
        var limiter = new BucketRateLimiter<string>(qps: 10, burst: 3, _clock);

        var delays = Enumerable.Range(0, 5).Select(i => limiter.When("item" + i).TotalMilliseconds).ToArray();

        Assert.Equal([0, 0, 0, 100, 200], delays);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, limiter.When("later"));
        Assert.Equal(0, limiter.NumRequeues("item0"));
    }

    [Fact]
    public void MaxOfRateLimiter_When_TakesTheLongestAndForgetsEverywhere()
    {
        var slow = new ExponentialFailureRateLimiter<string>(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        var fast = new ExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1));
        var limiter = new MaxOfRateLimiter<string>(fast, slow);

        Assert.Equal(TimeSpan.FromSeconds(1), limiter.When("a"));
        Assert.Equal(TimeSpan.FromSeconds(2), limiter.When("a"));
        Assert.Equal(2, limiter.NumRequeues("a"));

        limiter.Forget("a");

        Assert.Equal((0, 0), (slow.NumRequeues("a"), fast.NumRequeues("a")));
    }

    [Fact]
    public void DefaultController_OneItemFailing_BacksOffExponentiallyFromFiveMilliseconds()
    {
        var limiter = RateLimiters.DefaultController<string>(_clock);

        var delays = Enumerable.Range(0, 5).Select(_ => limiter.When("a").TotalMilliseconds).ToArray();

        Assert.Equal([5, 10, 20, 40, 80], delays);
    }

    [Fact]
    public void DefaultController_ManyItemsFailingAtOnce_AreHeldToTenASecondAfterABurstOfHundred()
    {
        var limiter = RateLimiters.DefaultController<int>(_clock);

        var delays = Enumerable.Range(0, 103).Select(i => limiter.When(i)).ToArray();

        Assert.All(delays.Take(100), d => Assert.Equal(TimeSpan.FromMilliseconds(5), d));
        Assert.Equal([100, 200, 300], delays.Skip(100).Select(d => d.TotalMilliseconds));
    }

    [Fact]
    public void DefaultController_LongFailingItem_SettlesAtThousandSeconds()
    {
        var limiter = RateLimiters.DefaultController<string>(_clock);

        for (var i = 0; i < 30; i++)
        {
            limiter.When("a");
        }

        Assert.Equal(TimeSpan.FromSeconds(1000), limiter.When("a"));
    }
}
