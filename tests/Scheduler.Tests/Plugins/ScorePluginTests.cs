using KubeMesh.Scheduler.Framework;
using KubeMesh.Scheduler.Plugins.NodeResourcesBalancedAllocation;
using KubeMesh.Scheduler.Plugins.NodeResourcesLeastAllocated;
using KubeMesh.Scheduler.Plugins.SelectorSpread;
using static KubeMesh.Scheduler.Tests.TestObjects;

namespace KubeMesh.Scheduler.Tests.Plugins;

public sealed class ScorePluginTests
{
    [Fact]
    public void NodeResourcesLeastAllocated_EmptierNode_ScoresHigher()
    {
        var pod = Pod("p", cpu: "500m", memory: "1Gi");
        var empty = Info(Node("n1", cpu: "2", memory: "4Gi"));
        var busy = Info(Node("n2", cpu: "2", memory: "4Gi"), Pod("a", cpu: "1", memory: "2Gi"));

        var emptyScore = new NodeResourcesLeastAllocated().Score(new CycleState(), pod, empty);
        var busyScore = new NodeResourcesLeastAllocated().Score(new CycleState(), pod, busy);

        // cpu (2000-500)/2000 = 75, memory (4-1)/4 = 75; with 1 core and 2Gi more used: 25 and 25.
        Assert.Equal(75, emptyScore);
        Assert.Equal(25, busyScore);
    }

    [Fact]
    public void NodeResourcesLeastAllocated_PodWithoutRequests_CountsTheDefaults()
    {
        var score = new NodeResourcesLeastAllocated().Score(new CycleState(), Pod("p"), Info(Node("n1", cpu: "1", memory: "400Mi")));

        // 100m of 1000m leaves 90; 200Mi of 400Mi leaves 50.
        Assert.Equal(70, score);
    }

    [Fact]
    public void NodeResourcesBalancedAllocation_EvenUse_ScoresHigherThanLopsided()
    {
        var pod = Pod("p", cpu: "1", memory: "2Gi");
        var plugin = new NodeResourcesBalancedAllocation();

        var balanced = plugin.Score(new CycleState(), pod, Info(Node("n1", cpu: "2", memory: "4Gi")));
        var lopsided = plugin.Score(new CycleState(), pod, Info(Node("n2", cpu: "2", memory: "4Gi"), Pod("a", cpu: "1")));

        Assert.Equal(100, balanced);
        Assert.Equal(75, lopsided);
    }

    [Fact]
    public void SelectorSpread_SiblingsOfTheSameController_LowerTheNodesScore()
    {
        var plugin = new SelectorSpread();
        var pod = Pod("rs-3").OwnedBy("uid-1");
        var nodes = new[]
        {
            Info(Node("n1"), Pod("rs-1").OwnedBy("uid-1"), Pod("rs-2").OwnedBy("uid-1")),
            Info(Node("n2"), Pod("other").OwnedBy("uid-2"), Pod("rs-0").OwnedBy("uid-1")),
            Info(Node("n3"), Pod("lone")),
        };
        var scores = nodes.Select(n => new NodeScore(n.Name, plugin.Score(new CycleState(), pod, n))).ToList();

        plugin.NormalizeScores(new CycleState(), pod, scores);

        Assert.Equal([0L, 50L, 100L], scores.Select(s => s.Score));
    }

    [Fact]
    public void SelectorSpread_SameUidInAnotherNamespace_IsNotASibling()
    {
        var pod = Pod("p").OwnedBy("uid-1");

        var score = new SelectorSpread().Score(new CycleState(), pod, Info(Node("n1"), Pod("q", ns: "other").OwnedBy("uid-1")));

        Assert.Equal(0, score);
    }
}
