using KubeMesh.Scheduler.Extensions;
using KubeMesh.Scheduler.Framework;
using KubeMesh.Scheduler.Plugins.DefaultBinder;
using Microsoft.Extensions.Logging.Abstractions;
using static KubeMesh.Scheduler.Tests.TestObjects;

namespace KubeMesh.Scheduler.Tests.Framework;

public sealed class PodSchedulerTests
{
    private static PodScheduler NewScheduler(Random? random = null, int percentageOfNodesToScore = 0) =>
        new(new SchedulingFramework(
            SchedulerServiceCollectionExtensions.DefaultFilters(),
            SchedulerServiceCollectionExtensions.DefaultScores(),
            new DefaultBinder(null!),
            NullLogger<SchedulingFramework>.Instance), random, percentageOfNodesToScore);

    [Theory]
    [InlineData(50, 0, 50)]
    [InlineData(200, 0, 100)]
    [InlineData(1000, 0, 420)]
    [InlineData(5000, 0, 500)]
    [InlineData(1000, 10, 100)]
    [InlineData(1000, 30, 300)]
    [InlineData(1000, 100, 1000)]
    public void NumFeasibleNodesToFind_AsKubeScheduler(int nodes, int percentage, int expected) =>
        Assert.Equal(expected, NewScheduler(percentageOfNodesToScore: percentage).NumFeasibleNodesToFind(nodes));

    [Fact]
    public void Schedule_ManyFeasibleNodes_StopsFilteringAtEnough_AndTheNextPodStartsWhereItStopped()
    {
        var nodes = Enumerable.Range(0, 300).Select(i => Info(Node($"n{i:D3}"))).ToArray();
        var scheduler = NewScheduler(percentageOfNodesToScore: 50);

        var first = scheduler.Schedule(new CycleState(), Pod("a", cpu: "100m"), nodes);
        var second = scheduler.Schedule(new CycleState(), Pod("b", cpu: "100m"), nodes);
        var third = scheduler.Schedule(new CycleState(), Pod("c", cpu: "100m"), nodes);

        Assert.Equal((150, 150), (first.EvaluatedNodes, first.FeasibleNodes));
        Assert.True(string.CompareOrdinal(first.SuggestedHost, "n150") < 0, first.SuggestedHost);
        Assert.True(string.CompareOrdinal(second.SuggestedHost, "n150") >= 0, second.SuggestedHost);
        Assert.True(string.CompareOrdinal(third.SuggestedHost, "n150") < 0, third.SuggestedHost);
    }

    [Fact]
    public void Schedule_FewFeasibleNodes_LooksAtEveryNode()
    {
        var nodes = Enumerable.Range(0, 300).Select(i => Info(Node($"n{i:D3}", labels: i == 299 ? ("disk", "ssd") : ("disk", "hdd")))).ToArray();
        var pod = Pod("p", cpu: "100m");
        pod.Spec.NodeSelector.Add("disk", "ssd");

        var result = NewScheduler(percentageOfNodesToScore: 10).Schedule(new CycleState(), pod, nodes);

        Assert.Equal(("n299", 300, 1), (result.SuggestedHost, result.EvaluatedNodes, result.FeasibleNodes));
    }

    [Fact]
    public void Schedule_NoNodeFits_FitErrorNamesEveryNodesFirstFailingFilter()
    {
        var pod = Pod("p", cpu: "1");
        pod.Spec.NodeSelector.Add("foo", "bar");
        var nodes = new[]
        {
            Info(Node("n1", labels: ("foo", "bar")), Pod("big", cpu: "1500m")),
            Info(Node("n2")),
            Info(Node("n3", ready: "False", labels: ("foo", "bar"))),
        };

        var result = NewScheduler().Schedule(new CycleState(), pod, nodes);

        Assert.False(result.Succeeded);
        Assert.Equal(
            "0/3 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node selector, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.",
            result.FitError!.Message);
        Assert.Equal("NodeResourcesFit", result.FitError.NodeToStatus["n1"].Plugin);
    }

    [Fact]
    public void Schedule_SeveralFeasible_PicksTheLeastLoaded()
    {
        var nodes = new[]
        {
            Info(Node("n1"), Pod("a", cpu: "1")),
            Info(Node("n2")),
            Info(Node("n3"), Pod("b", cpu: "500m")),
        };

        var result = NewScheduler().Schedule(new CycleState(), Pod("p", cpu: "100m"), nodes);

        Assert.Equal("n2", result.SuggestedHost);
        Assert.Equal(3, result.FeasibleNodes);
    }

    [Fact]
    public void Schedule_ReplicaSetSibling_AvoidsItsNodeEvenWhenOtherwiseLessFree()
    {
        // n1 is emptier by resources, but already runs a replica of the same ReplicaSet.
        var nodes = new[]
        {
            Info(Node("n1"), Pod("rs-a", cpu: "100m").OwnedBy("rs")),
            Info(Node("n2"), Pod("other", cpu: "300m")),
        };

        var result = NewScheduler().Schedule(new CycleState(), Pod("rs-b", cpu: "100m").OwnedBy("rs"), nodes);

        Assert.Equal("n2", result.SuggestedHost);
    }

    [Fact]
    public void SelectHost_EqualScores_EachTopNodeChosenSometimes()
    {
        var scheduler = NewScheduler(new Random(42));
        var scores = new[] { new NodeScore("a", 10), new NodeScore("b", 30), new NodeScore("c", 30), new NodeScore("d", 30) };

        var chosen = Enumerable.Range(0, 300).Select(_ => scheduler.SelectHost(scores)).ToHashSet();

        Assert.Equal(["b", "c", "d"], chosen.Order());
    }

    [Fact]
    public void Schedule_NoNodes_NoNodesAvailable()
    {
        var result = NewScheduler().Schedule(new CycleState(), Pod("p"), []);

        Assert.Equal("no nodes available to schedule pods", result.FitError!.Message);
    }
}
