using System.Text.RegularExpressions;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;
using KubeMesh.ControllerManager.Controllers.ReplicaSets;

namespace KubeMesh.ControllerManager.Tests;

public sealed partial class ReplicaSetControllerTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [SkippableFact]
    public async Task Sync_NewReplicaSet_CreatesOwnedPodsAndReportsReady()
    {
        await using var harness = await ControllerHarness.StartAsync(api, null, c => new ReplicaSetController(c));
        await using var kubelet = new FakeKubelet(api.Client, harness.Namespace, TimeSpan.FromMilliseconds(200));
        var rs = await api.Client.For<ReplicaSet>().CreateAsync(TestObjects.ReplicaSet(harness.Namespace, "web", 3, "web"));

        await Eventually.Until(async () => (await GetAsync(harness, "web")).Status?.ReadyReplicas == 3, Timeout, "3 replicas are ready");

        var pods = await ListPodsAsync(harness);
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p =>
        {
            Assert.Matches(PodName(), p.Metadata.Name);
            var owner = Assert.Single(p.Metadata.OwnerReferences);
            Assert.Equal(("apps/v1", "ReplicaSet", "web", rs.Metadata.Uid, true, true), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller, owner.BlockOwnerDeletion));
        });
        var status = (await GetAsync(harness, "web")).Status;
        Assert.Equal((3, 3, 3, 3, 1L), (status.Replicas, status.FullyLabeledReplicas, status.ReadyReplicas, status.AvailableReplicas, status.ObservedGeneration));
        await Eventually.Until(async () => (await EventsAsync(harness)).Count(e => e.Reason == "SuccessfulCreate" && e.Message.StartsWith("Created pod: web-", StringComparison.Ordinal)) == 3, Timeout, "three SuccessfulCreate events");
    }

    [SkippableFact]
    public async Task Sync_PodDeleted_CreatesReplacement()
    {
        await using var harness = await ControllerHarness.StartAsync(api, null, c => new ReplicaSetController(c));
        await api.Client.For<ReplicaSet>().CreateAsync(TestObjects.ReplicaSet(harness.Namespace, "web", 3, "web"));
        await Eventually.Until(async () => (await ListPodsAsync(harness)).Count == 3, Timeout, "3 pods exist");
        var victim = (await ListPodsAsync(harness))[0];

        await api.Client.For<Pod>().DeleteAsync(harness.Namespace, victim.Metadata.Name);

        await Eventually.Until(async () =>
        {
            var pods = await ListPodsAsync(harness);
            return pods.Count == 3 && pods.All(p => p.Metadata.Name != victim.Metadata.Name);
        }, Timeout, "a replacement pod exists");
        await Eventually.Until(async () => (await GetAsync(harness, "web")).Status?.Replicas == 3, Timeout, "status counts the replacement");
        await harness.PokeAndWaitForSyncAsync<ReplicaSet>("web", "the replacement was counted");
        Assert.Equal(3, (await ListPodsAsync(harness)).Count);
    }

    [SkippableFact]
    public async Task Sync_ScaleDown_DeletesNotReadyPodsFirst()
    {
        await using var harness = await ControllerHarness.StartAsync(api, null, c => new ReplicaSetController(c));
        await using var kubelet = new FakeKubelet(api.Client, harness.Namespace, TimeSpan.FromMilliseconds(100));
        var rsClient = api.Client.For<ReplicaSet>();
        await rsClient.CreateAsync(TestObjects.ReplicaSet(harness.Namespace, "web", 2, "web"));
        await Eventually.Until(async () => (await GetAsync(harness, "web")).Status?.ReadyReplicas == 2, Timeout, "2 replicas are ready");
        var ready = (await ListPodsAsync(harness)).Select(p => p.Metadata.Name).ToHashSet();
        kubelet.Paused = true;
        await ScaleAsync(harness, "web", 4);
        await Eventually.Until(async () => (await ListPodsAsync(harness)).Count == 4, Timeout, "4 pods exist");

        await ScaleAsync(harness, "web", 2);

        await Eventually.Until(async () => (await ListPodsAsync(harness)).Count == 2, Timeout, "2 pods remain");
        Assert.Equal(ready, (await ListPodsAsync(harness)).Select(p => p.Metadata.Name).ToHashSet());
    }

    [SkippableFact]
    public async Task Sync_MatchingOrphan_IsAdoptedAndNonMatchingPodReleased()
    {
        await using var harness = await ControllerHarness.StartAsync(api, null, c => new ReplicaSetController(c));
        var pods = api.Client.For<Pod>();
        await pods.CreateAsync(TestObjects.Pod(harness.Namespace, "orphan", "web"));
        var rs = await api.Client.For<ReplicaSet>().CreateAsync(TestObjects.ReplicaSet(harness.Namespace, "web", 2, "web"));

        await Eventually.Until(async () => (await ListPodsAsync(harness)).Count == 2, Timeout, "2 pods exist");
        await Eventually.Until(async () => (await pods.GetAsync(harness.Namespace, "orphan")).Metadata.OwnerReferences.Any(r => r.Uid == rs.Metadata.Uid), Timeout, "the orphan is adopted");
        Assert.Single(await ListPodsAsync(harness), p => p.Metadata.Name.StartsWith("web-", StringComparison.Ordinal));

        var adopted = await pods.GetAsync(harness.Namespace, "orphan");
        adopted.Metadata.Labels["app"] = "debug";
        await pods.UpdateAsync(adopted);

        await Eventually.Until(async () => (await pods.GetAsync(harness.Namespace, "orphan")).Metadata.OwnerReferences.Count == 0, Timeout, "the relabelled pod is released");
        await Eventually.Until(async () => (await ListPodsAsync(harness)).Count(p => p.Metadata.Labels["app"] == "web") == 2, Timeout, "a replacement is created");
    }

    // The controller writes status meanwhile: re-read and retry on conflict, as kubectl scale does.
    private static Task ScaleAsync(ControllerHarness harness, string name, int replicas) =>
        RetryOnConflict.RunAsync(async () =>
        {
            var client = harness.Client.For<ReplicaSet>();
            var rs = await client.GetAsync(harness.Namespace, name);
            rs.Spec.Replicas = replicas;
            await client.UpdateAsync(rs);
        });

    private static Task<ReplicaSet> GetAsync(ControllerHarness harness, string name) =>
        harness.Client.For<ReplicaSet>().GetAsync(harness.Namespace, name);

    private static async Task<List<Pod>> ListPodsAsync(ControllerHarness harness) =>
        [.. (await harness.Client.For<Pod>().ListAsync(new ListRequest { Namespace = harness.Namespace })).Items.Where(p => p.Metadata.DeletionTimestamp is null)];

    private static async Task<IReadOnlyList<Event>> EventsAsync(ControllerHarness harness) =>
        (await harness.Client.For<Event>().ListAsync(new ListRequest { Namespace = harness.Namespace })).Items;

    [GeneratedRegex("^web-[bcdfghjklmnpqrstvwxz2456789]{5}$")]
    private static partial Regex PodName();
}
