using Grpc.Core;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ControllerManager.Controllers.ReplicaSets;
using static KubeMesh.ControllerManager.Tests.Unit.UnitObjects;

namespace KubeMesh.ControllerManager.Tests.Unit;

public sealed class ReplicaSetSyncTests
{
    private const string Key = ControllerTestContext.Namespace + "/web";
    private readonly ControllerTestContext _t = new();

    [Fact]
    public async Task SyncAsync_NoPods_CreatesReplicasOwnedPodsAndWritesStatus()
    {
        var rs = _t.Add(TestObjects.ReplicaSet(ControllerTestContext.Namespace, "web", 3, "web"));
        using var controller = new ReplicaSetController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.Equal(["SuccessfulCreate", "SuccessfulCreate", "SuccessfulCreate"], _t.Api.EventReasons);
        Assert.Equal(["create pods", "create pods", "create pods", "update replicasets/status shop/web"], _t.TakeWrites());
        var pods = _t.Api.List<Pod>();
        Assert.All(pods, p =>
        {
            Assert.StartsWith("web-", p.Metadata.Name, StringComparison.Ordinal);
            Assert.Equal("web", p.Metadata.Labels["app"]);
            var owner = Assert.Single(p.Metadata.OwnerReferences);
            Assert.Equal(("ReplicaSet", rs.Metadata.Uid, true, true), (owner.Kind, owner.Uid, owner.Controller, owner.BlockOwnerDeletion));
        });
        Assert.Equal(1, _t.Api.Get<ReplicaSet>(ControllerTestContext.Namespace, "web")!.Status.ObservedGeneration);
    }

    [Fact]
    public async Task SyncAsync_CreatesNotYetSeen_CreatesNoMoreUntilSeenOrExpired()
    {
        _t.Add(TestObjects.ReplicaSet(ControllerTestContext.Namespace, "web", 2, "web"));
        using var controller = new ReplicaSetController(_t.Context);
        await controller.SyncAsync(Key, default);
        _t.Observe<ReplicaSet>();
        _t.TakeWrites();

        // The pods are not in the cache yet: counting them as missing would create them twice.
        await controller.SyncAsync(Key, default);
        Assert.DoesNotContain("create pods", _t.TakeWrites());

        controller.AddPod(_t.Api.List<Pod>()[0]);
        await controller.SyncAsync(Key, default);
        Assert.DoesNotContain("create pods", _t.TakeWrites());

        // kube's expectations expire after five minutes, in case a watch event was lost.
        _t.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        await controller.SyncAsync(Key, default);
        Assert.Equal(2, _t.TakeWrites().Count(w => w == "create pods"));
    }

    [Fact]
    public async Task SyncAsync_BothCreatesSeen_CountsThePodsAndCreatesNothing()
    {
        _t.Add(TestObjects.ReplicaSet(ControllerTestContext.Namespace, "web", 2, "web"));
        using var controller = new ReplicaSetController(_t.Context);
        await controller.SyncAsync(Key, default);
        foreach (var pod in _t.Api.List<Pod>())
        {
            controller.AddPod(pod);
        }

        _t.Observe<Pod>();
        _t.Observe<ReplicaSet>();
        _t.TakeWrites();

        await controller.SyncAsync(Key, default);

        Assert.Equal(["update replicasets/status shop/web"], _t.TakeWrites());
        Assert.Equal(2, _t.Api.Get<ReplicaSet>(ControllerTestContext.Namespace, "web")!.Status.Replicas);
    }

    [Fact]
    public async Task SyncAsync_TooManyPods_DeletesUnscheduledAndNotReadyBeforeReady()
    {
        var rs = _t.Add(TestObjects.ReplicaSet(ControllerTestContext.Namespace, "web", 1, "web"));
        var ready = OwnedPod(rs, "ready", "web", "Running", ready: true);
        ready.Spec.NodeName = "node1";
        var notReady = OwnedPod(rs, "not-ready", "web", "Running");
        notReady.Spec.NodeName = "node1";
        var unscheduled = OwnedPod(rs, "unscheduled", "web");
        foreach (var pod in new[] { ready, notReady, unscheduled })
        {
            _t.Add(pod);
        }

        using var controller = new ReplicaSetController(_t.Context);

        await controller.SyncAsync(Key, default);

        var deletes = _t.Api.Writes.Where(a => a.Verb == "delete").ToList();
        Assert.Equal(["not-ready", "unscheduled"], deletes.Select(d => d.Name).Order(StringComparer.Ordinal));
        Assert.Equal([notReady.Metadata.Uid, unscheduled.Metadata.Uid], deletes.OrderBy(d => d.Name, StringComparer.Ordinal).Select(Uid));
        Assert.Equal(["ready"], _t.Api.List<Pod>().Select(p => p.Metadata.Name));
    }

    [Fact]
    public async Task SyncAsync_MatchingOrphan_IsAdoptedInsteadOfCreatingAPod()
    {
        _t.Add(TestObjects.ReplicaSet(ControllerTestContext.Namespace, "web", 1, "web"));
        _t.Add(TestObjects.Pod(ControllerTestContext.Namespace, "orphan", "web"));
        _t.Add(TestObjects.Pod(ControllerTestContext.Namespace, "other", "db"));
        using var controller = new ReplicaSetController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.Equal(["update pods shop/orphan", "update replicasets/status shop/web"], _t.TakeWrites());
        var adopted = _t.Api.Get<Pod>(ControllerTestContext.Namespace, "orphan")!;
        Assert.Equal("web", Assert.Single(adopted.Metadata.OwnerReferences).Name);
        Assert.Empty(_t.Api.Get<Pod>(ControllerTestContext.Namespace, "other")!.Metadata.OwnerReferences);
    }

    [Fact]
    public async Task SyncAsync_CreateRefused_StopsAfterTheFirstBatchReportsAndThrows()
    {
        _t.Add(TestObjects.ReplicaSet(ControllerTestContext.Namespace, "web", 5, "web"));
        _t.Api.Fail("create", ResourceKinds.Pod, StatusCode.ResourceExhausted);
        using var controller = new ReplicaSetController(_t.Context);

        var error = await Assert.ThrowsAsync<RpcException>(() => controller.SyncAsync(Key, default));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Single(_t.Api.Actions, a => a.Verb == "create" && a.Kind == ResourceKinds.Pod);
        Assert.Contains("FailedCreate", _t.Api.EventReasons);
        Assert.Contains("update replicasets/status shop/web", _t.TakeWrites());
    }

    [Fact]
    public async Task SyncAsync_ReplicaSetNotInCache_WritesNothing()
    {
        using var controller = new ReplicaSetController(_t.Context);

        await controller.SyncAsync(Key, default);

        Assert.Empty(_t.Api.Actions);
    }

    [Fact]
    public void Informers_AreTheReplicaSetsAndPodsOnly()
    {
        using var controller = new ReplicaSetController(_t.Context);

        Assert.Equal(["replicasets", "pods"], controller.Informers);
    }

    private static string Uid(ApiAction delete) => ((KubeMesh.Api.Meta.V1.DeleteRequest)delete.Object!).Preconditions.Uid;
}
