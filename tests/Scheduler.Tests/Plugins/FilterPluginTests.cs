using KubeMesh.Api.Core.V1;
using KubeMesh.Scheduler.Framework;
using KubeMesh.Scheduler.Plugins.NodeAffinity;
using KubeMesh.Scheduler.Plugins.NodeName;
using KubeMesh.Scheduler.Plugins.NodePorts;
using KubeMesh.Scheduler.Plugins.NodeReady;
using KubeMesh.Scheduler.Plugins.NodeResourcesFit;
using KubeMesh.Scheduler.Plugins.NodeUnschedulable;
using KubeMesh.Scheduler.Plugins.TaintToleration;
using static KubeMesh.Scheduler.Tests.TestObjects;

namespace KubeMesh.Scheduler.Tests.Plugins;

public sealed class FilterPluginTests
{
    [Fact]
    public void NodeUnschedulable_CordonedNode_RejectedUnlessTolerated()
    {
        var node = Node("n1");
        node.Spec.Unschedulable = true;
        var plugin = new NodeUnschedulable();

        var status = plugin.Filter(new CycleState(), Pod("p"), Info(node));
        var tolerating = Pod("ds");
        tolerating.Spec.Tolerations.Add(new Toleration { Key = "node.kubernetes.io/unschedulable", Operator = "Exists", Effect = "NoSchedule" });

        Assert.Equal(StatusCode.UnschedulableAndUnresolvable, status.Code);
        Assert.Equal(["node(s) were unschedulable"], status.Reasons);
        Assert.True(plugin.Filter(new CycleState(), tolerating, Info(node)).IsSuccess);
        Assert.True(plugin.Filter(new CycleState(), Pod("p"), Info(Node("n2"))).IsSuccess);
    }

    [Theory]
    [InlineData("False", "node(s) had untolerated taint {node.kubernetes.io/not-ready: }")]
    [InlineData("Unknown", "node(s) had untolerated taint {node.kubernetes.io/unreachable: }")]
    public void NodeReady_NodeNotReady_RejectedWithTheTaintKubernetesWouldApply(string ready, string reason)
    {
        var status = new NodeReady().Filter(new CycleState(), Pod("p"), Info(Node("n1", ready: ready)));

        Assert.Equal(StatusCode.UnschedulableAndUnresolvable, status.Code);
        Assert.Equal([reason], status.Reasons);
    }

    [Fact]
    public void NodeReady_ReadyNodeOrToleratingPod_Passes()
    {
        var tolerating = Pod("ds");
        tolerating.Spec.Tolerations.Add(new Toleration { Key = "node.kubernetes.io/not-ready", Operator = "Exists" });

        Assert.True(new NodeReady().Filter(new CycleState(), Pod("p"), Info(Node("n1"))).IsSuccess);
        Assert.True(new NodeReady().Filter(new CycleState(), tolerating, Info(Node("n1", ready: "False"))).IsSuccess);
        Assert.False(new NodeReady().Filter(new CycleState(), tolerating, Info(Node("n1", ready: "Unknown"))).IsSuccess);
    }

    [Fact]
    public void NodeName_PresetNodeName_OnlyThatNodeFits()
    {
        var pod = Pod("p");
        pod.Spec.NodeName = "n2";

        Assert.Equal(["node(s) didn't match the requested node name"], new NodeName().Filter(new CycleState(), pod, Info(Node("n1"))).Reasons);
        Assert.True(new NodeName().Filter(new CycleState(), pod, Info(Node("n2"))).IsSuccess);
        Assert.True(new NodeName().Filter(new CycleState(), Pod("q"), Info(Node("n1"))).IsSuccess);
    }

    [Fact]
    public void NodeAffinity_NodeSelector_RequiresEveryLabelWithItsValue()
    {
        var pod = Pod("p");
        pod.Spec.NodeSelector.Add("foo", "bar");
        pod.Spec.NodeSelector.Add("disk", "ssd");
        var plugin = new NodeAffinity();

        var none = plugin.Filter(new CycleState(), pod, Info(Node("n1")));
        var wrongValue = plugin.Filter(new CycleState(), pod, Info(Node("n2", labels: [("foo", "bar"), ("disk", "hdd")])));
        var both = plugin.Filter(new CycleState(), pod, Info(Node("n3", labels: [("foo", "bar"), ("disk", "ssd")])));

        Assert.Equal(["node(s) didn't match Pod's node selector"], none.Reasons);
        Assert.Equal(StatusCode.UnschedulableAndUnresolvable, wrongValue.Code);
        Assert.True(both.IsSuccess);
    }

    [Fact]
    public void NodeResourcesFit_RequestsBeyondWhatIsLeft_ReportsEachShortfall()
    {
        var node = Node("n1", cpu: "2", memory: "4Gi");
        var info = Info(node, Pod("a", cpu: "1500m", memory: "3Gi"));

        var cpuOnly = new NodeResourcesFit().Filter(new CycleState(), Pod("p", cpu: "600m", memory: "1Gi"), info);
        var both = new NodeResourcesFit().Filter(new CycleState(), Pod("q", cpu: "600m", memory: "1025Mi"), info);
        var fits = new NodeResourcesFit().Filter(new CycleState(), Pod("r", cpu: "500m", memory: "1Gi"), info);

        Assert.Equal(StatusCode.Unschedulable, cpuOnly.Code);
        Assert.Equal(["Insufficient cpu"], cpuOnly.Reasons);
        Assert.Equal(["Insufficient cpu", "Insufficient memory"], both.Reasons);
        Assert.True(fits.IsSuccess);
    }

    [Fact]
    public void NodeResourcesFit_NodeAtItsPodLimit_TooManyPods()
    {
        var info = Info(Node("n1", pods: "2"), Pod("a"), Pod("b"));

        var status = new NodeResourcesFit().Filter(new CycleState(), Pod("p"), info);

        Assert.Equal(["Too many pods"], status.Reasons);
    }

    [Fact]
    public void NodeResourcesFit_InitContainerLargerThanContainers_CountsTheLargest()
    {
        var pod = Pod("p", cpu: "500m");
        pod.Spec.InitContainers.Add(new Container
        {
            Name = "init", Image = "busybox", Resources = new ResourceRequirements { Requests = { ["cpu"] = "1800m" } },
        });
        var info = Info(Node("n1", cpu: "2"), Pod("a", cpu: "300m"));

        var status = new NodeResourcesFit().Filter(new CycleState(), pod, info);

        Assert.Equal(1800, PodRequests.Compute(pod).MilliCpu);
        Assert.Equal(["Insufficient cpu"], status.Reasons);
    }

    [Fact]
    public void NodePorts_SameHostPort_ConflictsUnlessProtocolOrAddressDiffers()
    {
        var info = Info(Node("n1"), Pod("web").WithHostPort(8080, hostIp: "127.0.0.2"));
        var plugin = new NodePorts();

        Assert.Equal(["node(s) didn't have free ports for the requested pod ports"], plugin.Filter(new CycleState(), Pod("p").WithHostPort(8080), info).Reasons);
        Assert.False(plugin.Filter(new CycleState(), Pod("q").WithHostPort(8080, hostIp: "127.0.0.2"), info).IsSuccess);
        Assert.True(plugin.Filter(new CycleState(), Pod("r").WithHostPort(8080, hostIp: "127.0.0.3"), info).IsSuccess);
        Assert.True(plugin.Filter(new CycleState(), Pod("s").WithHostPort(8080, protocol: "UDP"), info).IsSuccess);
        Assert.True(plugin.Filter(new CycleState(), Pod("t").WithHostPort(8081), info).IsSuccess);
    }

    [Fact]
    public void TaintToleration_NoScheduleTaint_RejectedUnlessTolerated()
    {
        var node = Node("n1");
        node.Spec.Taints.Add(new Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" });
        var equal = Pod("eq");
        equal.Spec.Tolerations.Add(new Toleration { Key = "dedicated", Operator = "Equal", Value = "gpu", Effect = "NoSchedule" });
        var wrongValue = Pod("wrong");
        wrongValue.Spec.Tolerations.Add(new Toleration { Key = "dedicated", Value = "db" });
        var exists = Pod("exists");
        exists.Spec.Tolerations.Add(new Toleration { Operator = "Exists" });
        var plugin = new TaintToleration();

        Assert.Equal(["node(s) had untolerated taint {dedicated: gpu}"], plugin.Filter(new CycleState(), Pod("p"), Info(node)).Reasons);
        Assert.False(plugin.Filter(new CycleState(), wrongValue, Info(node)).IsSuccess);
        Assert.True(plugin.Filter(new CycleState(), equal, Info(node)).IsSuccess);
        Assert.True(plugin.Filter(new CycleState(), exists, Info(node)).IsSuccess);
    }

    [Fact]
    public void TaintToleration_PreferNoScheduleTaint_DoesNotFilter()
    {
        var node = Node("n1");
        node.Spec.Taints.Add(new Taint { Key = "spot", Effect = "PreferNoSchedule" });

        Assert.True(new TaintToleration().Filter(new CycleState(), Pod("p"), Info(node)).IsSuccess);
    }
}
