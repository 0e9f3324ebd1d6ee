using Grpc.Core;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;
using KubeMesh.ControllerManager.Controllers.GarbageCollection;
using KubeMesh.ControllerManager.Controllers.ReplicaSets;

namespace KubeMesh.ControllerManager.Tests;

public sealed class GarbageCollectorControllerTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [SkippableFact]
    public async Task Sync_ReplicaSetDeletedInBackground_DeletesItsPods()
    {
        await using var harness = await ControllerHarness.StartAsync(api, null, c => new ReplicaSetController(c), c => new GarbageCollectorController(c));
        await api.Client.For<ReplicaSet>().CreateAsync(TestObjects.ReplicaSet(harness.Namespace, "web", 3, "web"));
        await Eventually.Until(async () => (await ListPodsAsync(harness)).Count == 3, Timeout, "3 pods exist");
        await api.Client.For<Pod>().CreateAsync(TestObjects.Pod(harness.Namespace, "bystander", "other"));

        await api.Client.For<ReplicaSet>().DeleteAsync(new DeleteRequest { Namespace = harness.Namespace, Name = "web", PropagationPolicy = "Background" });

        await Eventually.Until(async () => (await ListPodsAsync(harness)).Count == 1, Timeout, "the ReplicaSet's pods are deleted");
        Assert.Equal("bystander", Assert.Single(await ListPodsAsync(harness)).Metadata.Name);
    }

    [SkippableFact]
    public async Task Sync_ForegroundDeletion_DeletesDependentsBeforeOwner()
    {
        await using var harness = await ControllerHarness.StartAsync(api, null, c => new GarbageCollectorController(c));
        var rs = await CreateOwnerAsync(harness);
        await CreateDependentAsync(harness, "a", rs);
        await CreateDependentAsync(harness, "b", rs);
        await using var recorder = new PodStateRecorder(api.Client, harness.Namespace);
        await recorder.Started;

        var marked = await api.Client.For<ReplicaSet>().DeleteAsync(new DeleteRequest { Namespace = harness.Namespace, Name = "web", PropagationPolicy = "Foreground" });
        Assert.Contains("foregroundDeletion", marked.Metadata.Finalizers);

        await Eventually.Until(async () => !await ExistsAsync(harness, "web"), Timeout, "the owner is deleted");
        Assert.Empty(await ListPodsAsync(harness));
        Assert.Equal(0, recorder.States[^1].Total);
    }

    [SkippableFact]
    public async Task Sync_ForegroundDeletion_KeepsOwnerWhileBlockingDependentRemains()
    {
        await using var harness = await ControllerHarness.StartAsync(api, null, c => new GarbageCollectorController(c));
        var rs = await CreateOwnerAsync(harness);

        // A dependent with a finalizer nobody removes stays terminating, so the owner must keep waiting.
        var stuck = TestObjects.Pod(harness.Namespace, "stuck", "web");
        stuck.Metadata.Finalizers.Add("example.com/hold");
        stuck.Metadata.OwnerReferences.Add(Reference(rs));
        await api.Client.For<Pod>().CreateAsync(stuck);

        await api.Client.For<ReplicaSet>().DeleteAsync(new DeleteRequest { Namespace = harness.Namespace, Name = "web", PropagationPolicy = "Foreground" });
        await Eventually.Until(async () => (await api.Client.For<Pod>().GetAsync(harness.Namespace, "stuck")).Metadata.DeletionTimestamp is not null, Timeout, "the dependent is being deleted");
        await harness.PokeAndWaitForSyncAsync<ReplicaSet>("web", "its dependent is terminating", new ObjectRef(ResourceKinds.ReplicaSet, harness.Namespace, "web"));
        Assert.True(await ExistsAsync(harness, "web"));

        var pod = await api.Client.For<Pod>().GetAsync(harness.Namespace, "stuck");
        pod.Metadata.Finalizers.Clear();
        await api.Client.For<Pod>().UpdateAsync(pod);
        await Eventually.Until(async () => !await ExistsAsync(harness, "web"), Timeout, "the owner is deleted once its dependent is gone");
    }

    [SkippableFact]
    public async Task Sync_OrphanDeletion_RemovesOwnerReferencesAndKeepsDependents()
    {
        await using var harness = await ControllerHarness.StartAsync(api, null, c => new GarbageCollectorController(c));
        var rs = await CreateOwnerAsync(harness);
        await CreateDependentAsync(harness, "a", rs);
        await CreateDependentAsync(harness, "b", rs);

        // Orphaning frees the dependents the collector knows of, as Kubernetes' graph does: let it see both first.
        foreach (var name in new[] { "a", "b" })
        {
            await harness.PokeAndWaitForSyncAsync<Pod>(name, "the collector knows the dependent", new ObjectRef(ResourceKinds.Pod, harness.Namespace, name));
        }

        await api.Client.For<ReplicaSet>().DeleteAsync(new DeleteRequest { Namespace = harness.Namespace, Name = "web", PropagationPolicy = "Orphan" });

        await Eventually.Until(async () => !await ExistsAsync(harness, "web"), Timeout, "the owner is deleted");
        var pods = await ListPodsAsync(harness);
        Assert.Equal(2, pods.Count);
        Assert.All(pods, p => Assert.Empty(p.Metadata.OwnerReferences));
    }

    [SkippableFact]
    public async Task Sync_OneOfTwoOwnersMissing_RemovesOnlyTheDanglingReference()
    {
        await using var harness = await ControllerHarness.StartAsync(api, null, c => new GarbageCollectorController(c));
        var rs = await CreateOwnerAsync(harness);
        var pod = TestObjects.Pod(harness.Namespace, "shared", "web");
        pod.Metadata.OwnerReferences.Add(Reference(rs));
        pod.Metadata.OwnerReferences.Add(new OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "gone", Uid = Guid.NewGuid().ToString() });
        await api.Client.For<Pod>().CreateAsync(pod);
        var orphan = TestObjects.Pod(harness.Namespace, "dangling", "web");
        orphan.Metadata.OwnerReferences.Add(new OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "gone", Uid = Guid.NewGuid().ToString() });
        await api.Client.For<Pod>().CreateAsync(orphan);

        await Eventually.Until(async () => (await ListPodsAsync(harness)).Count == 1, Timeout, "the pod whose only owner is missing is deleted");
        await Eventually.Until(async () => (await api.Client.For<Pod>().GetAsync(harness.Namespace, "shared")).Metadata.OwnerReferences.Count == 1, Timeout, "the dangling reference is removed");
        Assert.Equal(rs.Metadata.Uid, (await api.Client.For<Pod>().GetAsync(harness.Namespace, "shared")).Metadata.OwnerReferences[0].Uid);
    }

    private static Task<ReplicaSet> CreateOwnerAsync(ControllerHarness harness) =>
        harness.Client.For<ReplicaSet>().CreateAsync(TestObjects.ReplicaSet(harness.Namespace, "web", 0, "web"));

    private static async Task CreateDependentAsync(ControllerHarness harness, string name, ReplicaSet owner)
    {
        var pod = TestObjects.Pod(harness.Namespace, name, "web");
        pod.Metadata.OwnerReferences.Add(Reference(owner));
        await harness.Client.For<Pod>().CreateAsync(pod);
    }

    private static OwnerReference Reference(ReplicaSet rs) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "ReplicaSet",
        Name = rs.Metadata.Name,
        Uid = rs.Metadata.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };

    private static async Task<bool> ExistsAsync(ControllerHarness harness, string name)
    {
        try
        {
            await harness.Client.For<ReplicaSet>().GetAsync(harness.Namespace, name);
            return true;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return false;
        }
    }

    private static async Task<List<Pod>> ListPodsAsync(ControllerHarness harness) =>
        [.. (await harness.Client.For<Pod>().ListAsync(new ListRequest { Namespace = harness.Namespace })).Items.Where(p => p.Metadata.DeletionTimestamp is null)];
}
