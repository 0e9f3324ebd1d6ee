using Grpc.Core;

namespace KubeMesh.Client.Tests;

public sealed class RetryOnConflictTests
{
    private static RpcException Conflict => new(new Status(StatusCode.Aborted, "the object has been modified"));

    [Fact]
    public async Task RunAsync_ConflictThenSuccess_RetriesUntilItSucceeds()
    {
        var calls = 0;
        await RetryOnConflict.RunAsync(() => ++calls < 3 ? throw Conflict : Task.CompletedTask);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task RunAsync_AlwaysConflicting_GivesUpAfterDefaultStepsWithTheConflict()
    {
        var calls = 0;
        var error = await Assert.ThrowsAsync<RpcException>(() => RetryOnConflict.RunAsync(() =>
        {
            calls++;
            throw Conflict;
        }));

        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Equal(Backoff.DefaultRetry.Steps, calls);
    }

    [Theory]
    [InlineData(StatusCode.NotFound)]
    [InlineData(StatusCode.InvalidArgument)]
    [InlineData(StatusCode.Unavailable)]
    public async Task RunAsync_OtherError_ThrowsWithoutRetrying(StatusCode code)
    {
        var calls = 0;
        var error = await Assert.ThrowsAsync<RpcException>(() => RetryOnConflict.RunAsync(() =>
        {
            calls++;
            throw new RpcException(new Status(code, "no"));
        }));

        Assert.Equal(code, error.StatusCode);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task RunAsync_WithResult_ReturnsTheSuccessfulAttempt()
    {
        var calls = 0;
        var result = await RetryOnConflict.RunAsync(_ => ++calls == 1 ? throw Conflict : Task.FromResult(calls));
        Assert.Equal(2, result);
    }

    [Fact]
    public void Backoff_Delay_GrowsByFactorWithBoundedJitter()
    {
        var backoff = new Backoff(4, TimeSpan.FromMilliseconds(10), 5.0, 0.1);
        Assert.InRange(backoff.Delay(0).TotalMilliseconds, 10, 11);
        Assert.InRange(backoff.Delay(2).TotalMilliseconds, 250, 275);
        Assert.InRange((backoff with { Cap = TimeSpan.FromMilliseconds(100) }).Delay(3).TotalMilliseconds, 100, 110);
    }
}
