using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ControllerManager.Controllers.GarbageCollection;
using static KubeMesh.ControllerManager.Tests.Unit.UnitObjects;

namespace KubeMesh.ControllerManager.Tests.Unit;

/// <summary>The graph is fed as kube's tests feed the graph builder: the test hands the collector what its informers would.</summary>
public sealed class GarbageCollectorSyncTests
{
    private const string Ns = ControllerTestContext.Namespace;
    private readonly ControllerTestContext _t = new();

    [Fact]
    public async Task SyncAsync_OwnerGone_ConfirmsWithTheApiServerAndDeletesTheDependentInTheBackground()
    {
        var pod = _t.Add(Dependent("orphan", MissingOwner()));
        using var gc = new GarbageCollectorController(_t.Context);

        await gc.SyncAsync(Ref(ResourceKinds.Pod, "orphan"), default);

        Assert.Contains(_t.Api.Actions, a => a.ToString() == "get replicasets shop/gone");
        var delete = Assert.Single(_t.Api.Writes);
        Assert.Equal("delete pods shop/orphan", delete.ToString());
        var request = (DeleteRequest)delete.Object!;
        Assert.Equal(("Background", pod.Metadata.Uid), (request.PropagationPolicy, request.Preconditions.Uid));
    }

    [Fact]
    public async Task SyncAsync_OwnerInTheCache_KeepsTheDependentWithoutAskingTheApiServer()
    {
        var owner = _t.Add(TestObjects.ReplicaSet(Ns, "web", 1, "web"));
        _t.Add(OwnedPod(owner, "web-1", "web"));
        using var gc = new GarbageCollectorController(_t.Context);

        await gc.SyncAsync(Ref(ResourceKinds.Pod, "web-1"), default);

        Assert.DoesNotContain(_t.Api.Actions, a => a.Kind != ResourceKinds.Event);
    }

    [Fact]
    public async Task SyncAsync_OwnerRecreatedUnderTheSameName_DeletesTheDependentOfTheOldOne()
    {
        _t.Add(TestObjects.ReplicaSet(Ns, "gone", 1, "web"));
        _t.Add(Dependent("stale", MissingOwner()));
        using var gc = new GarbageCollectorController(_t.Context);

        await gc.SyncAsync(Ref(ResourceKinds.Pod, "stale"), default);

        Assert.Equal(["delete pods shop/stale"], _t.TakeWrites());
    }

    [Fact]
    public async Task SyncAsync_OneOfTwoOwnersGone_RemovesOnlyThatReference()
    {
        var owner = _t.Add(TestObjects.ReplicaSet(Ns, "web", 1, "web"));
        var pod = OwnedPod(owner, "shared", "web");
        pod.Metadata.OwnerReferences.Add(MissingOwner());
        _t.Add(pod);
        using var gc = new GarbageCollectorController(_t.Context);

        await gc.SyncAsync(Ref(ResourceKinds.Pod, "shared"), default);

        Assert.Equal(["update pods shop/shared"], _t.TakeWrites());
        Assert.Equal([owner.Metadata.Uid], _t.Api.Get<Pod>(Ns, "shared")!.Metadata.OwnerReferences.Select(r => r.Uid));
    }

    [Fact]
    public async Task SyncAsync_ForegroundDeletion_DependentsGoFirstThenTheOwnersFinalizer()
    {
        var owner = _t.Add(Deleting(TestObjects.ReplicaSet(Ns, "web", 1, "web"), "foregroundDeletion"));
        var pod = _t.Add(OwnedPod(owner, "web-1", "web"));
        using var gc = new GarbageCollectorController(_t.Context);
        gc.Observe(ResourceKinds.ReplicaSet, owner);
        gc.Observe(ResourceKinds.Pod, pod);

        await gc.SyncAsync(Ref(ResourceKinds.ReplicaSet, "web"), default);
        Assert.Empty(_t.TakeWrites());

        await gc.SyncAsync(Ref(ResourceKinds.Pod, "web-1"), default);
        Assert.Equal(["delete pods shop/web-1"], _t.TakeWrites());

        gc.Forget(ResourceKinds.Pod, pod);
        _t.Observe<Pod>();
        await gc.SyncAsync(Ref(ResourceKinds.ReplicaSet, "web"), default);

        Assert.Equal(["update replicasets shop/web"], _t.TakeWrites());
        Assert.Null(_t.Api.Get<ReplicaSet>(Ns, "web"));
    }

    [Fact]
    public async Task SyncAsync_OrphanDeletion_StripsTheDependentsReferencesThenReleasesTheOwner()
    {
        var owner = _t.Add(Deleting(TestObjects.ReplicaSet(Ns, "web", 2, "web"), "orphan"));
        using var gc = new GarbageCollectorController(_t.Context);
        foreach (var name in new[] { "web-1", "web-2" })
        {
            gc.Observe(ResourceKinds.Pod, _t.Add(OwnedPod(owner, name, "web")));
        }

        await gc.SyncAsync(Ref(ResourceKinds.ReplicaSet, "web"), default);

        Assert.Equal(["update pods shop/web-1", "update pods shop/web-2", "update replicasets shop/web"], _t.TakeWrites().Order(StringComparer.Ordinal));
        Assert.All(_t.Api.List<Pod>(), p => Assert.Empty(p.Metadata.OwnerReferences));
        Assert.Null(_t.Api.Get<ReplicaSet>(Ns, "web"));
    }

    private static ObjectRef Ref(ResourceKind kind, string name) => new(kind, Ns, name);

    private static OwnerReference MissingOwner() => new()
    {
        ApiVersion = "apps/v1",
        Kind = "ReplicaSet",
        Name = "gone",
        Uid = "uid-of-a-replicaset-long-gone",
        Controller = true,
        BlockOwnerDeletion = true,
    };

    private static Pod Dependent(string name, OwnerReference owner)
    {
        var pod = TestObjects.Pod(Ns, name, "web");
        pod.Metadata.OwnerReferences.Add(owner);
        return pod;
    }

    private ReplicaSet Deleting(ReplicaSet rs, string finalizer)
    {
        rs.Metadata.DeletionTimestamp = Timestamp.FromDateTimeOffset(_t.Now);
        rs.Metadata.Finalizers.Add(finalizer);
        return rs;
    }
}
