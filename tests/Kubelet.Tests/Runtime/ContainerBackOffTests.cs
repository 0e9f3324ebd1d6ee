using KubeMesh.Kubelet.Runtime;

namespace KubeMesh.Kubelet.Tests.Runtime;

public sealed class ContainerBackOffTests
{
    [Fact]
    public void Next_RepeatedFailures_DoublesUpToTheMaximumAndResetsAfterQuiet()
    {
        var clock = new ManualClock();
        var backOff = new ContainerBackOff(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(40), clock);

        var delays = Enumerable.Range(0, 4).Select(_ => backOff.Next("pod/c").TotalSeconds).ToList();
        Assert.Equal([10, 20, 40, 40], delays);
        Assert.True(backOff.IsInBackOff("pod/c"));

        clock.Advance(TimeSpan.FromSeconds(41));
        Assert.False(backOff.IsInBackOff("pod/c"));
        clock.Advance(TimeSpan.FromSeconds(40));
        Assert.Equal(TimeSpan.FromSeconds(10), backOff.Next("pod/c"));
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UnixEpoch;

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
