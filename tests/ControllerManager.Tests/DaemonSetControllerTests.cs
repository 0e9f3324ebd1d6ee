using System.Text.RegularExpressions;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ControllerManager.Controllers.DaemonSets;

namespace KubeMesh.ControllerManager.Tests;

/// <summary>Nodes are cluster-wide: each test labels its own nodes pool=&lt;namespace&gt; and selects on that.</summary>
public sealed partial class DaemonSetControllerTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [SkippableFact]
    public async Task Sync_MatchingNodes_OnePodPerNodeFollowingNodesThatJoinAndLeave()
    {
        await using var harness = await ControllerHarness.StartAsync(api, null, c => new DaemonSetController(c));
        await using var kubelet = new FakeKubelet(api.Client, harness.Namespace, TimeSpan.FromMilliseconds(100), onlyBound: true);
        var ns = harness.Namespace;
        await CreateNodeAsync(ns + "-a", ns);
        await CreateNodeAsync(ns + "-b", ns);
        await CreateNodeAsync(ns + "-other", "elsewhere");
        var ds = await api.Client.For<DaemonSet>().CreateAsync(NewDaemonSet(ns, "agent", "agent:1"));

        await Eventually.Until(async () => (await GetAsync(harness)).Status?.NumberReady == 2, Timeout, "two daemon pods are ready");

        var pods = await ListPodsAsync(harness);
        Assert.Equal([ns + "-a", ns + "-b"], pods.Select(p => p.Spec.NodeName).Order(StringComparer.Ordinal));
        Assert.All(pods, p =>
        {
            Assert.Matches(PodName(), p.Metadata.Name);
            Assert.Equal(ds.Metadata.Uid, Assert.Single(p.Metadata.OwnerReferences).Uid);
            Assert.True(p.Metadata.Labels.ContainsKey("controller-revision-hash"));
            Assert.Contains(p.Spec.Tolerations, t => t.Key == "node.kubernetes.io/unreachable" && t.Effect == "NoExecute");
        });
        var status = (await GetAsync(harness)).Status;
        Assert.Equal((2, 2, 2, 2, 2, 0, 1L), (status.DesiredNumberScheduled, status.CurrentNumberScheduled, status.NumberReady, status.NumberAvailable, status.UpdatedNumberScheduled, status.NumberMisscheduled, status.ObservedGeneration));

        await CreateNodeAsync(ns + "-c", ns);
        await Eventually.Until(async () => (await ListPodsAsync(harness)).Any(p => p.Spec.NodeName == ns + "-c"), Timeout, "the joining node gets a pod");

        var nodes = api.Client.For<Node>();
        var b = await nodes.GetAsync("", ns + "-b");
        b.Metadata.Labels["pool"] = "elsewhere";
        await nodes.UpdateAsync(b);
        await nodes.DeleteAsync("", ns + "-c");

        await Eventually.Until(async () => (await ListPodsAsync(harness)).Select(p => p.Spec.NodeName).SequenceEqual([ns + "-a"]), Timeout, "only the node still matching keeps its pod");
        await Eventually.Until(async () => (await GetAsync(harness)).Status is { DesiredNumberScheduled: 1, CurrentNumberScheduled: 1, NumberMisscheduled: 0 }, Timeout, "status counts one node");
    }

    [SkippableFact]
    public async Task Sync_TaintedNodes_SkipsUntoleratedTaintButToleratesNotReady()
    {
        await using var harness = await ControllerHarness.StartAsync(api, null, c => new DaemonSetController(c));
        var ns = harness.Namespace;
        await CreateNodeAsync(ns + "-dedicated", ns, new Taint { Key = "dedicated", Value = "db", Effect = "NoSchedule" });
        await CreateNodeAsync(ns + "-notready", ns, new Taint { Key = "node.kubernetes.io/not-ready", Effect = "NoExecute" });
        await api.Client.For<DaemonSet>().CreateAsync(NewDaemonSet(ns, "agent", "agent:1"));

        await Eventually.Until(async () => (await GetAsync(harness)).Status?.CurrentNumberScheduled == 1, Timeout, "one pod is scheduled");

        await harness.PokeAndWaitForSyncAsync<DaemonSet>("agent", "both nodes exist");
        var pod = Assert.Single(await ListPodsAsync(harness));
        Assert.Equal(ns + "-notready", pod.Spec.NodeName);
        Assert.Equal(1, (await GetAsync(harness)).Status.DesiredNumberScheduled);
    }

    [SkippableFact]
    public async Task Sync_TemplateChanged_RollsOutNodeByNodeWithAtMostOneUnavailable()
    {
        await using var harness = await ControllerHarness.StartAsync(api, null, c => new DaemonSetController(c));
        await using var kubelet = new FakeKubelet(api.Client, harness.Namespace, TimeSpan.FromMilliseconds(200), onlyBound: true);
        var ns = harness.Namespace;
        foreach (var suffix in new[] { "a", "b", "c" })
        {
            await CreateNodeAsync($"{ns}-{suffix}", ns);
        }

        var client = api.Client.For<DaemonSet>();
        await client.CreateAsync(NewDaemonSet(ns, "agent", "agent:1"));
        await Eventually.Until(async () => (await GetAsync(harness)).Status?.NumberAvailable == 3, Timeout, "three daemon pods are available");
        var oldHash = (await ListPodsAsync(harness))[0].Metadata.Labels["controller-revision-hash"];
        await using var recorder = new PodStateRecorder(api.Client, ns);

        var ds = await client.GetAsync(ns, "agent");
        ds.Spec.Template.Spec.Containers[0].Image = "agent:2";
        await client.UpdateAsync(ds);

        await Eventually.Until(async () =>
        {
            var pods = await ListPodsAsync(harness);
            return pods.Count == 3 && pods.All(p => p.Spec.Containers[0].Image == "agent:2" && PodReady(p));
        }, Timeout, "every node runs the new template");
        await Eventually.Until(async () => (await GetAsync(harness)).Status is { UpdatedNumberScheduled: 3, NumberAvailable: 3, ObservedGeneration: 2 }, Timeout, "status reports the rollout done");
        Assert.All(await ListPodsAsync(harness), p => Assert.NotEqual(oldHash, p.Metadata.Labels["controller-revision-hash"]));
        Assert.True(recorder.States.Where(s => s.Total > 0).All(s => s.Ready >= 2), "never more than one node without a ready daemon pod");
        var newHash = (await ListPodsAsync(harness))[0].Metadata.Labels["controller-revision-hash"];
        Assert.Equal([($"agent-{oldHash}", 1L), ($"agent-{newHash}", 2L)], await RevisionsAsync(harness));

        // Back to the first template (kubectl rollout undo): its revision is reused and renumbered as the newest.
        ds = await client.GetAsync(ns, "agent");
        ds.Spec.Template.Spec.Containers[0].Image = "agent:1";
        await client.UpdateAsync(ds);
        await Eventually.Until(async () => (await RevisionsAsync(harness)).SequenceEqual([($"agent-{newHash}", 2L), ($"agent-{oldHash}", 3L)]), Timeout, "the first revision becomes revision 3");
        await Eventually.Until(async () => (await ListPodsAsync(harness)).All(p => p.Metadata.Labels["controller-revision-hash"] == oldHash), Timeout, "the pods run the first template again");
    }

    private static async Task<List<(string, long)>> RevisionsAsync(ControllerHarness harness) =>
        [.. (await harness.Client.For<ControllerRevision>().ListAsync(new ListRequest { Namespace = harness.Namespace })).Items
            .OrderBy(r => r.Revision).Select(r => (r.Metadata.Name, r.Revision))];

    private static bool PodReady(Pod pod) => pod.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True");

    private async Task CreateNodeAsync(string name, string pool, params Taint[] taints)
    {
        var node = new Node { Metadata = new ObjectMeta { Name = name, Labels = { ["pool"] = pool } }, Spec = new NodeSpec() };
        node.Spec.Taints.Add(taints);
        await api.Client.For<Node>().CreateAsync(node);
    }

    private static DaemonSet NewDaemonSet(string ns, string name, string image)
    {
        var template = TestObjects.Template(name, image);
        template.Spec.NodeSelector["pool"] = ns;
        return new DaemonSet
        {
            Metadata = new ObjectMeta { Namespace = ns, Name = name },
            Spec = new DaemonSetSpec { Selector = new LabelSelector { MatchLabels = { ["app"] = name } }, Template = template },
        };
    }

    private static Task<DaemonSet> GetAsync(ControllerHarness harness) =>
        harness.Client.For<DaemonSet>().GetAsync(harness.Namespace, "agent");

    private static async Task<List<Pod>> ListPodsAsync(ControllerHarness harness) =>
        [.. (await harness.Client.For<Pod>().ListAsync(new ListRequest { Namespace = harness.Namespace })).Items
            .Where(p => p.Metadata.DeletionTimestamp is null).OrderBy(p => p.Spec.NodeName, StringComparer.Ordinal)];

    [GeneratedRegex("^agent-[bcdfghjklmnpqrstvwxz2456789]{5}$")]
    private static partial Regex PodName();
}
