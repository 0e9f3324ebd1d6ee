using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ControllerManager.Controllers.DaemonSets;
using static KubeMesh.ControllerManager.Tests.Unit.UnitObjects;

namespace KubeMesh.ControllerManager.Tests.Unit;

public sealed class DaemonSetSyncTests
{
    private const string Ns = ControllerTestContext.Namespace;
    private const string Key = Ns + "/agent";
    private readonly ControllerTestContext _t = new();

    [Fact]
    public async Task SyncAsync_Nodes_CreatesOnePodBoundToEachNodeItShouldRunOn()
    {
        AddNode("a", "edge");
        AddNode("b", "edge");
        AddNode("c", "core");
        AddNode("dedicated", "edge", new Taint { Key = "dedicated", Value = "db", Effect = "NoSchedule" });
        AddNode("not-ready", "edge", new Taint { Key = "node.kubernetes.io/not-ready", Effect = "NoExecute" });
        var ds = _t.Add(NewDaemonSet("agent:1"));
        using var controller = new DaemonSetController(_t.Context);

        await controller.SyncAsync(Key, default);

        var pods = _t.Api.List<Pod>();
        Assert.Equal(["a", "b", "not-ready"], pods.Select(p => p.Spec.NodeName).Order(StringComparer.Ordinal));
        Assert.All(pods, p =>
        {
            Assert.Equal(ds.Metadata.Uid, Assert.Single(p.Metadata.OwnerReferences).Uid);
            Assert.Equal(DaemonPods.Hash(ds), p.Metadata.Labels["controller-revision-hash"]);
            Assert.Contains(p.Spec.Tolerations, t => t.Key == "node.kubernetes.io/unreachable" && t.Effect == "NoExecute");
        });
        Assert.Equal(3, _t.Api.Get<DaemonSet>(Ns, "agent")!.Status.DesiredNumberScheduled);
    }

    [Fact]
    public async Task SyncAsync_NodeNoLongerMatches_DeletesItsPodAndKeepsTheOthers()
    {
        AddNode("a", "edge");
        AddNode("b", "core");
        var ds = _t.Add(NewDaemonSet("agent:1"));
        _t.Add(DaemonPod(ds, "a"));
        _t.Add(DaemonPod(ds, "b"));
        using var controller = new DaemonSetController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.Equal(["create controllerrevisions", "delete pods shop/agent-b", "update daemonsets/status shop/agent"], _t.TakeWrites());
    }

    [Fact]
    public async Task SyncAsync_FailedDaemonPod_IsDeletedWithAFailedDaemonPodWarning()
    {
        AddNode("a", "edge");
        var ds = _t.Add(NewDaemonSet("agent:1"));
        var failed = DaemonPod(ds, "a");
        failed.Status = new PodStatus { Phase = "Failed" };
        _t.Add(failed);
        using var controller = new DaemonSetController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.Contains("FailedDaemonPod", _t.Api.EventReasons);
        Assert.Contains("delete pods shop/agent-a", _t.TakeWrites());
    }

    [Fact]
    public async Task SyncAsync_CreatedAndDeletedInOneSync_ExpectsBothBeforeActingAgain()
    {
        AddNode("a", "edge");
        AddNode("b", "core");
        var ds = _t.Add(NewDaemonSet("agent:1"));
        var leaving = _t.Add(DaemonPod(ds, "b"));
        using var controller = new DaemonSetController(_t.Context);
        await controller.SyncAsync(Key, default);
        Assert.Equal(["create controllerrevisions", "create pods", "delete pods shop/agent-b", "update daemonsets/status shop/agent"], _t.TakeWrites());
        _t.Observe<DaemonSet>();

        // The informer reports the deletion but not yet the new pod: acting now would put a second pod on a.
        _t.Informers.GetInformer<Pod>().Cache.Delete(leaving);
        controller.PodDeleted(leaving);
        await controller.SyncAsync(Key, default);

        Assert.DoesNotContain(_t.TakeWrites(), w => w.StartsWith("create", StringComparison.Ordinal) || w.StartsWith("delete", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SyncAsync_TemplateChanged_ReplacesOneAvailablePodAtATime()
    {
        var old = NewDaemonSet("agent:1");
        var ds = NewDaemonSet("agent:2");
        foreach (var node in new[] { "a", "b", "c" })
        {
            AddNode(node, "edge");
        }

        ds = _t.Add(ds);
        foreach (var node in new[] { "a", "b", "c" })
        {
            var pod = DaemonPod(ds, node, DaemonPods.Hash(old));
            _t.Add(pod);
        }

        using var controller = new DaemonSetController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.Equal(["create controllerrevisions", "delete pods shop/agent-a", "update daemonsets/status shop/agent"], _t.TakeWrites());
        var status = _t.Api.Get<DaemonSet>(Ns, "agent")!.Status;
        Assert.Equal((3, 3, 0), (status.DesiredNumberScheduled, status.NumberAvailable, status.UpdatedNumberScheduled));
    }

    private void AddNode(string name, string pool, params Taint[] taints)
    {
        var node = new Node { Metadata = new ObjectMeta { Name = name, Labels = { ["pool"] = pool } }, Spec = new NodeSpec() };
        node.Spec.Taints.Add(taints);
        _t.Add(node);
    }

    private static DaemonSet NewDaemonSet(string image)
    {
        var template = TestObjects.Template("agent", image);
        template.Spec.NodeSelector["pool"] = "edge";
        return new DaemonSet
        {
            Metadata = new ObjectMeta { Namespace = Ns, Name = "agent" },
            Spec = new DaemonSetSpec { Selector = new LabelSelector { MatchLabels = { ["app"] = "agent" } }, Template = template },
        };
    }

    private static Pod DaemonPod(DaemonSet ds, string node, string? hash = null)
    {
        var pod = DaemonPods.New(ds, node, hash ?? DaemonPods.Hash(ds));
        pod.Metadata.Name = "agent-" + node;
        return WithPhase(pod, "Running", ready: true);
    }
}
