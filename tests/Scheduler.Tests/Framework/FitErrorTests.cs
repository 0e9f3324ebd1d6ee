using KubeMesh.Scheduler.Framework;

namespace KubeMesh.Scheduler.Tests.Framework;

public sealed class FitErrorTests
{
    [Fact]
    public void Message_OneReasonOnEveryNode_CountsIt()
    {
        var error = new FitError(3, new Dictionary<string, Status>
        {
            ["n1"] = Status.UnschedulableAndUnresolvable("node(s) didn't match Pod's node selector"),
            ["n2"] = Status.UnschedulableAndUnresolvable("node(s) didn't match Pod's node selector"),
            ["n3"] = Status.UnschedulableAndUnresolvable("node(s) didn't match Pod's node selector"),
        });

        Assert.Equal("0/3 nodes are available: 3 node(s) didn't match Pod's node selector.", error.Message);
    }

    [Fact]
    public void Message_SeveralReasons_SortedAsKubeSchedulerSortsThem()
    {
        var error = new FitError(4, new Dictionary<string, Status>
        {
            ["n1"] = Status.UnschedulableAndUnresolvable("node(s) didn't match Pod's node selector"),
            ["n2"] = Status.Unschedulable("Insufficient cpu"),
            ["n3"] = Status.UnschedulableAndUnresolvable("node(s) didn't match Pod's node selector"),
            ["n4"] = Status.Unschedulable("Insufficient cpu", "Insufficient memory"),
        });

        // Sorted as whole strings, count first, exactly as kube-scheduler's sortReasonsHistogram.
        Assert.Equal(
            "0/4 nodes are available: 1 Insufficient memory, 2 Insufficient cpu, 2 node(s) didn't match Pod's node selector.",
            error.Message);
    }

    [Fact]
    public void Message_ResourcesAndSelector_MatchesKubeSchedulersWording()
    {
        var error = new FitError(3, new Dictionary<string, Status>
        {
            ["n1"] = Status.Unschedulable("Insufficient cpu"),
            ["n2"] = Status.UnschedulableAndUnresolvable("node(s) didn't match Pod's node selector"),
            ["n3"] = Status.UnschedulableAndUnresolvable("node(s) didn't match Pod's node selector"),
        });

        Assert.Equal("0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node selector.", error.Message);
    }

    [Fact]
    public void Message_NoNodes_SaysSo()
    {
        Assert.Equal("no nodes available to schedule pods", new FitError(0, new Dictionary<string, Status>()).Message);
    }
}
