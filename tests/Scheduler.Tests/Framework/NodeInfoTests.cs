using KubeMesh.Api.Core.V1;
using KubeMesh.Scheduler.Extensions;
using KubeMesh.Scheduler.Framework;
using KubeMesh.Scheduler.Plugins.DefaultBinder;
using KubeMesh.Scheduler.Plugins.NodeReady;
using KubeMesh.Scheduler.Plugins.SelectorSpread;
using KubeMesh.Scheduler.Plugins.TaintToleration;
using Microsoft.Extensions.Logging.Abstractions;
using static KubeMesh.Scheduler.Tests.TestObjects;

namespace KubeMesh.Scheduler.Tests.Framework;

/// <summary>What NodeInfo works out once per node or pod version must follow every new version.</summary>
public sealed class NodeInfoTests
{
    [Fact]
    public void SetNode_ReadinessAndTaintsChange_FiltersFollowTheNewVersion()
    {
        var info = Info(Node("n1"));
        var pod = Pod("p");
        var ready = new NodeReady();
        var taints = new TaintToleration();
        Assert.True(ready.Filter(new CycleState(), pod, info).IsSuccess);
        Assert.True(taints.Filter(new CycleState(), pod, info).IsSuccess);

        var broken = Node("n1", ready: "False");
        broken.Spec.Taints.Add(new Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" });
        broken.Spec.Taints.Add(new Taint { Key = "soft", Effect = "PreferNoSchedule" });
        info.SetNode(broken);

        Assert.Equal(["node(s) had untolerated taint {node.kubernetes.io/not-ready: }"], ready.Filter(new CycleState(), pod, info).Reasons);
        var rejected = taints.Filter(new CycleState(), pod, info);
        Assert.Equal(StatusCode.UnschedulableAndUnresolvable, rejected.Code);
        Assert.Equal(["node(s) had untolerated taint {dedicated: gpu}"], rejected.Reasons);
        Assert.Equal(["dedicated"], info.Taints.Select(t => t.Taint.Key));

        var tolerating = Pod("t");
        tolerating.Spec.Tolerations.Add(new Toleration { Key = "dedicated", Operator = "Equal", Value = "gpu", Effect = "NoSchedule" });
        Assert.True(taints.Filter(new CycleState(), tolerating, info).IsSuccess);

        info.SetNode(Node("n1"));

        Assert.True(ready.Filter(new CycleState(), pod, info).IsSuccess);
        Assert.True(taints.Filter(new CycleState(), pod, info).IsSuccess);
        Assert.Empty(info.Taints);
    }

    [Fact]
    public void RemovePod_GivesBackExactlyWhatItsAddTook_AndCloneIsIndependent()
    {
        var info = Info(Node("n1"));
        info.AddPod(Pod("a", cpu: "250m", memory: "1Gi").OnNode("n1").OwnedBy("rs-1").WithHostPort(8080));
        var copy = info.Clone();
        info.AddPod(Pod("b", cpu: "500m").OnNode("n1").OwnedBy("rs-1"));

        Assert.Equal(new Resource(750, 1L << 30), info.Requested);
        Assert.Equal(2, info.PodCount);
        Assert.Equal(2, new SelectorSpread().Score(new CycleState(), Pod("c").OwnedBy("rs-1"), info));
        Assert.Equal(1, copy.PodCount);
        Assert.Equal(new Resource(250, 1L << 30), copy.Requested);

        Assert.True(info.RemovePod("default/a"));

        Assert.Equal(new Resource(500, 0), info.Requested);
        Assert.Empty(info.UsedPorts);
        Assert.Single(copy.UsedPorts);
        Assert.Equal(1, new SelectorSpread().Score(new CycleState(), Pod("c").OwnedBy("rs-1"), info));
    }

    [Fact]
    public void Schedule_FitErrorAfterAFit_NamesOnlyThisPodsRejections()
    {
        var scheduler = new PodScheduler(new SchedulingFramework(
            SchedulerServiceCollectionExtensions.DefaultFilters(),
            SchedulerServiceCollectionExtensions.DefaultScores(),
            new DefaultBinder(null!),
            NullLogger<SchedulingFramework>.Instance));
        var nodes = new[] { Info(Node("n1", labels: ("disk", "ssd"))), Info(Node("n2")), Info(Node("n3")) };
        var ssd = Pod("ssd");
        ssd.Spec.NodeSelector.Add("disk", "ssd");
        var nowhere = Pod("nowhere", cpu: "3");

        var fits = scheduler.Schedule(new CycleState(), ssd, nodes);
        var fails = scheduler.Schedule(new CycleState(), nowhere, nodes);

        Assert.Equal("n1", fits.SuggestedHost);
        Assert.Equal(["n1", "n2", "n3"], fails.FitError!.NodeToStatus.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("0/3 nodes are available: 3 Insufficient cpu.", fails.FitError.Message);
    }
}
