using KubeMesh.Scheduler.Cache;
using static KubeMesh.Scheduler.Tests.TestObjects;

namespace KubeMesh.Scheduler.Tests.Cache;

public sealed class SchedulerCacheTests
{
    [Fact]
    public void Snapshot_CopiesOnlyTheNodesThatChanged_AndAnEarlierSnapshotStaysAsItWas()
    {
        var cache = new SchedulerCache();
        cache.AddOrUpdateNode(Node("n1"));
        cache.AddOrUpdateNode(Node("n2"));
        var first = cache.Snapshot();

        cache.AssumePod(Pod("web", cpu: "500m").OnNode("n2"));
        var second = cache.Snapshot();

        Assert.Equal(["n1", "n2"], second.Select(n => n.Name));
        Assert.Same(first[0], second[0]);
        Assert.NotSame(first[1], second[1]);
        Assert.Empty(first[1].Pods);
        Assert.Equal(500, second[1].Requested.MilliCpu);
        Assert.Same(second, cache.Snapshot());
    }

    [Fact]
    public void Snapshot_FollowsPodsAndNodesComingAndGoing()
    {
        var cache = new SchedulerCache();
        cache.AddOrUpdatePod(Pod("early", cpu: "1").OnNode("n1"));
        Assert.Empty(cache.Snapshot());

        cache.AddOrUpdateNode(Node("n1"));
        cache.AddOrUpdateNode(Node("n0"));
        var withNodes = cache.Snapshot();
        Assert.Equal(["n0", "n1"], withNodes.Select(n => n.Name));
        Assert.Equal(1000, withNodes[1].Requested.MilliCpu);

        cache.AddOrUpdatePod(Pod("early", cpu: "250m").OnNode("n0"));
        var moved = cache.Snapshot();
        Assert.Equal((250, 0L), (moved[0].Requested.MilliCpu, moved[1].Requested.MilliCpu));

        cache.AssumePod(Pod("assumed", cpu: "100m").OnNode("n1"));
        cache.ForgetPod("default/assumed");
        cache.RemoveNode(Node("n0"));
        var after = cache.Snapshot();
        Assert.Equal("n1", Assert.Single(after).Name);
        Assert.Empty(after[0].Pods);
        Assert.Equal(1, cache.NodeCount);
        Assert.True(cache.IsAssumedOrBound("default/early"));
    }
}
