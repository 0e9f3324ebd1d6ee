using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ControllerManager.Controllers.StatefulSets;
using static KubeMesh.ControllerManager.Tests.Unit.UnitObjects;

namespace KubeMesh.ControllerManager.Tests.Unit;

public sealed class StatefulSetSyncTests
{
    private const string Ns = ControllerTestContext.Namespace;
    private const string Key = Ns + "/web";
    private readonly ControllerTestContext _t = new();

    [Fact]
    public async Task SyncAsync_OrderedReady_CreatesOrdinalZeroAndItsClaimOnly()
    {
        _t.Add(NewStatefulSet(3));
        using var controller = new StatefulSetController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.Equal(["create controllerrevisions", "create persistentvolumeclaims", "create pods", "update statefulsets/status shop/web"], _t.TakeWrites());
        var pod = Assert.Single(_t.Api.List<Pod>());
        Assert.Equal(("web-0", "web-0", "web"), (pod.Metadata.Name, pod.Spec.Hostname, pod.Spec.Subdomain));
        Assert.Equal("data-web-0", pod.Spec.Volumes.Single(v => v.Name == "data").PersistentVolumeClaim.ClaimName);
        Assert.Equal("data-web-0", Assert.Single(_t.Api.List<PersistentVolumeClaim>()).Metadata.Name);
    }

    [Theory]
    [InlineData("Pending", false, new string[0])]
    [InlineData("Running", false, new string[0])]
    [InlineData("Running", true, new[] { "web-1" })]
    public async Task SyncAsync_OrdinalZeroExists_CreatesOrdinalOneOnlyOnceZeroIsRunningAndReady(string phase, bool ready, string[] created)
    {
        var set = _t.Add(NewStatefulSet(3));
        _t.Add(WithPhase(StatefulPods.New(set, 0, StatefulPods.Revision(set)), phase, ready));
        using var controller = new StatefulSetController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.Equal(created, _t.Api.Writes.Where(a => a is { Verb: "create", Object: Pod }).Select(a => ((Pod)a.Object!).Metadata.Name));
    }

    [Fact]
    public async Task SyncAsync_FailedPod_IsDeletedWithARecreatingFailedPodWarning()
    {
        var set = _t.Add(NewStatefulSet(1));
        _t.Add(WithPhase(StatefulPods.New(set, 0, StatefulPods.Revision(set)), "Failed", false));
        using var controller = new StatefulSetController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.Contains("RecreatingFailedPod", _t.Api.EventReasons);
        Assert.Contains("delete pods shop/web-0", _t.TakeWrites());
    }

    [Fact]
    public async Task SyncAsync_ScaledDown_DeletesTheHighestOrdinalAloneAndKeepsItsClaim()
    {
        var set = _t.Add(NewStatefulSet(1));
        for (var i = 0; i < 3; i++)
        {
            _t.Add(WithPhase(StatefulPods.New(set, i, StatefulPods.Revision(set)), "Running", ready: true));
        }

        using var controller = new StatefulSetController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.Equal(["create controllerrevisions", "delete pods shop/web-2", "update statefulsets/status shop/web"], _t.TakeWrites());
    }

    [Fact]
    public async Task SyncAsync_Parallel_CreatesEveryOrdinalAtOnce()
    {
        var spec = NewStatefulSet(3);
        spec.Spec.PodManagementPolicy = "Parallel";
        _t.Add(spec);
        using var controller = new StatefulSetController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.Equal(["web-0", "web-1", "web-2"], _t.Api.List<Pod>().Select(p => p.Metadata.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SyncAsync_TemplateChanged_ReplacesTheHighestOrdinalOfTheOldRevisionFirst()
    {
        var old = NewStatefulSet(3);
        var set = _t.Add(NewStatefulSet(3, "web:2"));
        for (var i = 0; i < 3; i++)
        {
            _t.Add(WithPhase(StatefulPods.New(set, i, StatefulPods.Revision(old)), "Running", ready: true));
        }

        using var controller = new StatefulSetController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.Equal(["create controllerrevisions", "delete pods shop/web-2", "update statefulsets/status shop/web"], _t.TakeWrites());
    }

    private static StatefulSet NewStatefulSet(int replicas, string image = "web:1") => new()
    {
        Metadata = new ObjectMeta { Namespace = Ns, Name = "web" },
        Spec = new StatefulSetSpec
        {
            Replicas = replicas,
            ServiceName = "web",
            Selector = new LabelSelector { MatchLabels = { ["app"] = "web" } },
            Template = TestObjects.Template("web", image),
            VolumeClaimTemplates = { new PersistentVolumeClaim { Metadata = new ObjectMeta { Name = "data" }, Spec = new PersistentVolumeClaimSpec() } },
        },
    };
}
