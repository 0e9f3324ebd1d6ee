using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Coordination.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.NodeLifecycle;
using static KubeMesh.ControllerManager.Tests.Unit.UnitObjects;

namespace KubeMesh.ControllerManager.Tests.Unit;

/// <summary>Grace period 40 s and eviction timeout 5 min, kube's defaults; heartbeats are timed on the controller's clock.</summary>
public sealed class NodeLifecycleSyncTests
{
    private const string Node = "node1";
    private static readonly InformerOptions Leases = new() { Namespace = "kube-node-lease" };
    private readonly ControllerTestContext _t = new();

    [Fact]
    public async Task SyncAsync_HeartbeatsWithinTheGracePeriod_LeaveTheNodeAlone()
    {
        AddNode(ready: "True");
        RenewLease();
        using var controller = new NodeLifecycleController(_t.Context);
        await controller.SyncAsync(Node, default);

        for (var i = 0; i < 5; i++)
        {
            _t.Time.Advance(TimeSpan.FromSeconds(30));
            RenewLease();
            await controller.SyncAsync(Node, default);
        }

        Assert.Empty(_t.TakeWrites());
    }

    [Fact]
    public async Task SyncAsync_HeartbeatsStop_MarksTheNodeUnknownTaintsItThenEvictsPodsByTheirTolerations()
    {
        AddNode(ready: "True");
        RenewLease();
        _t.Add(NodePod("plain"));
        _t.Add(NodePod("tolerates-a-minute", tolerationSeconds: 60));
        _t.Add(NodePod("tolerates-forever", tolerationSeconds: null));
        var elsewhere = NodePod("elsewhere");
        elsewhere.Spec.NodeName = "node2";
        _t.Add(elsewhere);
        using var controller = new NodeLifecycleController(_t.Context);
        await controller.SyncAsync(Node, default);

        _t.Time.Advance(TimeSpan.FromSeconds(41));
        await controller.SyncAsync(Node, default);

        var writes = _t.TakeWrites();
        Assert.Equal(["update nodes/status node1", "update nodes node1"], writes.Take(2));
        Assert.Equal(
            ["update pods/status shop/plain", "update pods/status shop/tolerates-a-minute", "update pods/status shop/tolerates-forever"],
            writes.Skip(2).Order(StringComparer.Ordinal));
        var node = _t.Api.Get<Node>("", Node)!;
        Assert.Equal(("Unknown", "NodeStatusUnknown"), (node.Status.Conditions.Single(c => c.Type == "Ready").Status, node.Status.Conditions.Single(c => c.Type == "Ready").Reason));
        Assert.Equal(["NoExecute", "NoSchedule"], node.Spec.Taints.Where(t => t.Key == "node.kubernetes.io/unreachable").Select(t => t.Effect).Order(StringComparer.Ordinal));

        Settle();
        _t.Time.Advance(TimeSpan.FromSeconds(61));
        await controller.SyncAsync(Node, default);
        Assert.Equal(["delete pods shop/tolerates-a-minute"], _t.TakeWrites());

        Settle();
        _t.Time.Advance(TimeSpan.FromMinutes(4));
        await controller.SyncAsync(Node, default);
        var eviction = Assert.Single(_t.Api.Writes);
        Assert.Equal("delete pods shop/plain", eviction.ToString());
        Assert.Equal(0, ((DeleteRequest)eviction.Object!).GracePeriodSeconds);
        Assert.Equal(["elsewhere", "tolerates-forever"], _t.Api.List<Pod>().Select(p => p.Metadata.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SyncAsync_NodeReadyAgain_RemovesTheUnreachableTaints()
    {
        var node = AddNode(ready: "True");
        node.Spec.Taints.Add(new Taint { Key = "node.kubernetes.io/unreachable", Effect = "NoSchedule" });
        node.Spec.Taints.Add(new Taint { Key = "node.kubernetes.io/unreachable", Effect = "NoExecute" });
        _t.Api.Put(node);
        _t.Observe<Node>();
        using var controller = new NodeLifecycleController(_t.Context);

        await controller.SyncAsync(Node, default);

        Assert.Equal(["update nodes node1"], _t.TakeWrites());
        Assert.Empty(_t.Api.Get<Node>("", Node)!.Spec.Taints);
    }

    private Node AddNode(string ready)
    {
        var now = Timestamp.FromDateTimeOffset(_t.Now);
        return _t.Add(new Node
        {
            Metadata = new ObjectMeta { Name = Node },
            Spec = new NodeSpec(),
            Status = new NodeStatus { Conditions = { new Condition { Type = "Ready", Status = ready, LastHeartbeatTime = now, LastTransitionTime = now } } },
        });
    }

    private void RenewLease()
    {
        var lease = new Lease
        {
            Metadata = new ObjectMeta { Namespace = "kube-node-lease", Name = Node },
            Spec = new LeaseSpec { HolderIdentity = Node, RenewTime = Timestamp.FromDateTimeOffset(_t.Now) },
        };
        _t.Add(lease, Leases);
    }

    private static Pod NodePod(string name, int? tolerationSeconds = -1)
    {
        var pod = WithPhase(TestObjects.Pod(ControllerTestContext.Namespace, name, "web", Node), "Running", ready: true);
        if (tolerationSeconds != -1)
        {
            var toleration = new Toleration { Key = "node.kubernetes.io/unreachable", Operator = "Exists", Effect = "NoExecute" };
            if (tolerationSeconds is { } seconds)
            {
                toleration.TolerationSeconds = seconds;
            }

            pod.Spec.Tolerations.Add(toleration);
        }

        return pod;
    }

    private void Settle()
    {
        _t.Observe<Node>();
        _t.Observe<Pod>();
        _t.TakeWrites();
    }
}
