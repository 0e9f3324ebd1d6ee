using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ControllerManager.Controllers.Deployments;
using KubeMesh.ControllerManager.Controllers.ReplicaSets;

namespace KubeMesh.ControllerManager.Tests;

public sealed partial class DeploymentControllerTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [SkippableFact]
    public async Task Sync_NewDeployment_CreatesHashedReplicaSetWithRevisionOneAndBecomesAvailable()
    {
        await using var harness = await StartAsync();
        await using var kubelet = new FakeKubelet(api.Client, harness.Namespace, TimeSpan.FromMilliseconds(100));
        var d = TestObjects.Deployment(harness.Namespace, "nginx-deployment", 3, "nginx");
        d.Metadata.Annotations[ "kubernetes.io/change-cause"] = "first";
        await api.Client.For<Deployment>().CreateAsync(d);

        await WaitCompleteAsync(harness, "nginx-deployment", 3);

        var rs = Assert.Single(await ListReplicaSetsAsync(harness));
        Assert.Matches(HashedName(), rs.Metadata.Name);
        var hash = rs.Metadata.Name["nginx-deployment-".Length..];
        Assert.Equal(hash, rs.Spec.Selector.MatchLabels["pod-template-hash"]);
        Assert.Equal(hash, rs.Spec.Template.Metadata.Labels["pod-template-hash"]);
        Assert.Equal("1", rs.Metadata.Annotations["deployment.kubernetes.io/revision"]);
        Assert.Equal("first", rs.Metadata.Annotations["kubernetes.io/change-cause"]);
        Assert.All(await ListPodsAsync(harness), p => Assert.Equal(hash, p.Metadata.Labels["pod-template-hash"]));
        var status = (await GetAsync(harness, "nginx-deployment")).Status;
        Assert.Equal((3, 3, 3, 3, 0), (status.Replicas, status.UpdatedReplicas, status.ReadyReplicas, status.AvailableReplicas, status.UnavailableReplicas));
        Assert.Contains(status.Conditions, c => c is { Type: "Available", Status: "True", Reason: "MinimumReplicasAvailable" });
        Assert.Contains(status.Conditions, c => c is { Type: "Progressing", Status: "True", Reason: "NewReplicaSetAvailable" });
        await Eventually.Until(async () => (await EventsAsync(harness)).Any(e => e.Reason == "ScalingReplicaSet" && e.Message.StartsWith($"Scaled up replica set {rs.Metadata.Name} to 3", StringComparison.Ordinal)), Timeout, "a ScalingReplicaSet event");
    }

    [SkippableTheory]
    [InlineData(1, 1)]
    [InlineData(1, 0)]
    [InlineData(0, 1)]
    public async Task Sync_RollingUpdate_StaysWithinSurgeAndUnavailability(int maxSurge, int maxUnavailable)
    {
        await using var harness = await StartAsync();
        await using var kubelet = new FakeKubelet(api.Client, harness.Namespace, TimeSpan.FromMilliseconds(300));
        var d = TestObjects.Deployment(harness.Namespace, "web", 4, "web");
        d.Spec.Strategy = new DeploymentStrategy
        {
            Type = "RollingUpdate",
            RollingUpdate = new RollingUpdateDeployment { MaxSurge = Value.ForNumber(maxSurge), MaxUnavailable = Value.ForNumber(maxUnavailable) },
        };
        await api.Client.For<Deployment>().CreateAsync(d);
        await WaitCompleteAsync(harness, "web", 4);
        await using var recorder = new PodStateRecorder(api.Client, harness.Namespace);
        await recorder.Started;

        await UpdateAsync(harness, "web", x => x.Spec.Template.Spec.Containers[0].Image = "nginx:1.25");
        await WaitCompleteAsync(harness, "web", 4, "nginx:1.25");

        var states = recorder.States;
        Assert.True(states.Count > 8, string.Join(" ", states));
        Assert.All(states, s => Assert.InRange(s.Total, 0, 4 + maxSurge));
        Assert.All(states, s => Assert.True(s.Ready >= 4 - maxUnavailable, $"only {s.Ready} ready pods of {s.Total}"));

        // The rollout used the room it had: surge pods existed, or pods went unavailable.
        Assert.Contains(states, s => maxSurge > 0 ? s.Total == 4 + maxSurge : s.Ready == 4 - maxUnavailable);
        var replicaSets = await ListReplicaSetsAsync(harness);
        Assert.Equal(2, replicaSets.Count);
        var old = Assert.Single(replicaSets, rs => rs.Spec.Template.Spec.Containers[0].Image == "nginx:latest");
        var updated = Assert.Single(replicaSets, rs => rs.Spec.Template.Spec.Containers[0].Image == "nginx:1.25");
        Assert.Equal((0, "1"), (old.Spec.Replicas, old.Metadata.Annotations["deployment.kubernetes.io/revision"]));
        Assert.Equal((4, "2"), (updated.Spec.Replicas, updated.Metadata.Annotations["deployment.kubernetes.io/revision"]));
        Assert.Equal("2", (await GetAsync(harness, "web")).Metadata.Annotations["deployment.kubernetes.io/revision"]);
    }

    [SkippableFact]
    public async Task Sync_RollbackToOldTemplate_ScalesOldReplicaSetUpWithNextRevision()
    {
        await using var harness = await StartAsync();
        await using var kubelet = new FakeKubelet(api.Client, harness.Namespace, TimeSpan.FromMilliseconds(100));
        await api.Client.For<Deployment>().CreateAsync(TestObjects.Deployment(harness.Namespace, "web", 2, "web"));
        await WaitCompleteAsync(harness, "web", 2);
        var first = Assert.Single(await ListReplicaSetsAsync(harness));
        await UpdateAsync(harness, "web", x => x.Spec.Template.Spec.Containers[0].Image = "nginx:1.25");
        await WaitCompleteAsync(harness, "web", 2, "nginx:1.25");

        // What kmctl rollout undo does: the old ReplicaSet's template, without its hash label, into the Deployment.
        var template = first.Spec.Template.Clone();
        template.Metadata.Labels.Remove("pod-template-hash");
        await UpdateAsync(harness, "web", x => x.Spec.Template = template);
        await WaitCompleteAsync(harness, "web", 2, "nginx:latest");

        var replicaSets = await ListReplicaSetsAsync(harness);
        Assert.Equal(2, replicaSets.Count);
        var restored = Assert.Single(replicaSets, rs => rs.Metadata.Uid == first.Metadata.Uid);
        Assert.Equal((2, "3"), (restored.Spec.Replicas, restored.Metadata.Annotations["deployment.kubernetes.io/revision"]));
        Assert.Equal(0, Assert.Single(replicaSets, rs => rs.Metadata.Uid != first.Metadata.Uid).Spec.Replicas);
        Assert.Equal("3", (await GetAsync(harness, "web")).Metadata.Annotations["deployment.kubernetes.io/revision"]);
    }

    [SkippableFact]
    public async Task Sync_Recreate_RemovesOldPodsBeforeCreatingNewOnes()
    {
        await using var harness = await StartAsync();
        await using var kubelet = new FakeKubelet(api.Client, harness.Namespace, TimeSpan.FromMilliseconds(100));
        var d = TestObjects.Deployment(harness.Namespace, "web", 3, "web");
        d.Spec.Strategy = new DeploymentStrategy { Type = "Recreate" };
        await api.Client.For<Deployment>().CreateAsync(d);
        await WaitCompleteAsync(harness, "web", 3);
        var oldPods = (await ListPodsAsync(harness)).Select(p => p.Metadata.Name).ToHashSet();
        await using var recorder = new PodStateRecorder(api.Client, harness.Namespace);
        await recorder.Started;

        await UpdateAsync(harness, "web", x => x.Spec.Template.Spec.Containers[0].Image = "nginx:1.25");
        await WaitCompleteAsync(harness, "web", 3, "nginx:1.25");

        Assert.All(recorder.States, s => Assert.InRange(s.Total, 0, 3));
        Assert.Contains(recorder.States, s => s.Total == 0);
        Assert.DoesNotContain(await ListPodsAsync(harness), p => oldPods.Contains(p.Metadata.Name));
    }

    [SkippableFact]
    public async Task Sync_ScaleDuringSteadyState_ResizesReplicaSetWithoutNewRevision()
    {
        await using var harness = await StartAsync();
        await using var kubelet = new FakeKubelet(api.Client, harness.Namespace, TimeSpan.FromMilliseconds(50));
        await api.Client.For<Deployment>().CreateAsync(TestObjects.Deployment(harness.Namespace, "web", 2, "web"));
        await WaitCompleteAsync(harness, "web", 2);

        await UpdateAsync(harness, "web", x => x.Spec.Replicas = 5);
        await WaitCompleteAsync(harness, "web", 5);

        var rs = Assert.Single(await ListReplicaSetsAsync(harness));
        Assert.Equal((5, "1", "5"), (rs.Spec.Replicas, rs.Metadata.Annotations["deployment.kubernetes.io/revision"], rs.Metadata.Annotations["deployment.kubernetes.io/desired-replicas"]));
    }

    [SkippableFact]
    public async Task Sync_RevisionHistoryLimit_DeletesOldestScaledDownReplicaSets()
    {
        await using var harness = await StartAsync();
        await using var kubelet = new FakeKubelet(api.Client, harness.Namespace, TimeSpan.FromMilliseconds(50));
        var d = TestObjects.Deployment(harness.Namespace, "web", 1, "web");
        d.Spec.RevisionHistoryLimit = 1;
        await api.Client.For<Deployment>().CreateAsync(d);
        await WaitCompleteAsync(harness, "web", 1);
        foreach (var tag in new[] { "1.24", "1.25", "1.26" })
        {
            await UpdateAsync(harness, "web", x => x.Spec.Template.Spec.Containers[0].Image = "nginx:" + tag);
            await WaitCompleteAsync(harness, "web", 1, "nginx:" + tag);
        }

        await Eventually.Until(async () => (await ListReplicaSetsAsync(harness)).Count == 2, Timeout, "only one old ReplicaSet is kept");
        var revisions = (await ListReplicaSetsAsync(harness)).Select(rs => rs.Metadata.Annotations["deployment.kubernetes.io/revision"]).Order().ToList();
        Assert.Equal(["3", "4"], revisions);
    }

    private Task<ControllerHarness> StartAsync() =>
        ControllerHarness.StartAsync(api, null, c => new ReplicaSetController(c), c => new DeploymentController(c));

    private static async Task WaitCompleteAsync(ControllerHarness harness, string name, int replicas, string image = "nginx:latest") =>
        await Eventually.Until(async () =>
        {
            var d = await GetAsync(harness, name);
            var pods = await ListPodsAsync(harness);
            return d.Status is { } s && s.ObservedGeneration == d.Metadata.Generation && s.UpdatedReplicas == replicas
                && s.Replicas == replicas && s.AvailableReplicas == replicas
                && pods.Count == replicas && pods.All(p => p.Spec.Containers[0].Image == image);
        }, Timeout, $"{name} runs {replicas} pods of {image}");

    private static async Task UpdateAsync(ControllerHarness harness, string name, Action<Deployment> change)
    {
        var client = harness.Client.For<Deployment>();
        await KubeMesh.Client.RetryOnConflict.RunAsync(async () =>
        {
            var d = await client.GetAsync(harness.Namespace, name);
            change(d);
            await client.UpdateAsync(d);
        });
    }

    private static Task<Deployment> GetAsync(ControllerHarness harness, string name) =>
        harness.Client.For<Deployment>().GetAsync(harness.Namespace, name);

    private static async Task<IReadOnlyList<ReplicaSet>> ListReplicaSetsAsync(ControllerHarness harness) =>
        (await harness.Client.For<ReplicaSet>().ListAsync(new ListRequest { Namespace = harness.Namespace })).Items;

    private static async Task<List<Pod>> ListPodsAsync(ControllerHarness harness) =>
        [.. (await harness.Client.For<Pod>().ListAsync(new ListRequest { Namespace = harness.Namespace })).Items.Where(p => p.Metadata.DeletionTimestamp is null)];

    private static async Task<IReadOnlyList<Event>> EventsAsync(ControllerHarness harness) =>
        (await harness.Client.For<Event>().ListAsync(new ListRequest { Namespace = harness.Namespace })).Items;

    [GeneratedRegex("^nginx-deployment-[bcdfghjklmnpqrstvwxz2456789]{1,10}$")]
    private static partial Regex HashedName();
}
