using System.Text.RegularExpressions;
using KubeMesh.Api.Apps.V1;
using KubeMesh.Api.Batch.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.EndToEnd;

/// <summary>Manifests 20-25 through kmctl on the cluster the AppHost starts, each in a namespace of its own.</summary>
[Collection(ClusterCollection.Name)]
public sealed partial class WorkloadsEndToEndTests(ClusterFixture cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task ReplicaSet_PodDeleted_IsReplacedAndGetShowsDesiredCurrentReady()
    {
        await using var ns = await TestNamespace.CreateAsync(cluster, "e2e-rs");
        await ns.ApplyAsync(Kmctl.Manifest("seed/20-replicaset.yaml"));
        var pods = await ReadyPodsAsync(ns, 3);
        Assert.All(pods, p => Assert.Matches("^nginx-replicaset-[a-z0-9]{5}$", p.Metadata.Name));

        await ns.KmctlAsync("delete", "pod", pods[0].Metadata.Name);

        var replaced = await ReadyPodsAsync(ns, 3, p => p.Metadata.Uid != pods[0].Metadata.Uid);
        Assert.Single(replaced, p => !pods.Any(old => old.Metadata.Uid == p.Metadata.Uid));
        await Eventually.Until(async () => ReplicaSetRow().IsMatch(await ns.KmctlAsync("get", "replicaset")), Timeout, "get replicaset shows 3 desired, current and ready");
        Assert.Matches("NAME +DESIRED +CURRENT +READY +AGE", await ns.KmctlAsync("get", "replicaset"));
    }

    [Fact]
    public async Task Deployment_ImageChanged_RollsWithinBoundsAndUndoBringsRevisionsBack()
    {
        await using var ns = await TestNamespace.CreateAsync(cluster, "e2e-deploy");
        await ns.ApplyAsync(Kmctl.Manifest("seed/21-deployment.yaml"));
        await RolledOutAsync(ns);
        var firstHash = Assert.Single((await ns.LivePodsAsync()).Select(p => p.Metadata.Labels["pod-template-hash"]).Distinct());
        var changed = await ns.EditedManifestAsync("seed/21-deployment.yaml", ("image: nginx:latest", "image: nginx:1.27"));
        await using (var watch = await PodWatch.StartAsync(cluster.Client, ns.Name))
        {
            await ns.ApplyAsync(changed, "--record");
            await RolledOutAsync(ns);
            await Eventually.Until(async () => (await ns.LivePodsAsync()).Count == 3, Timeout, "the old pods are gone");

            // 25% of 3: maxSurge rounds up to 1, maxUnavailable down to 0, so 3 to 4 pods, always 3 ready.
            var states = watch.States;
            Assert.True(states.Count > 0, "the watch saw the rollout");
            Assert.All(states, s => Assert.True(s.Live <= 4 && s.Ready >= 3, $"{s.Live} live, {s.Ready} ready after {s.Event}"));
        }

        await AssertImagesAsync(ns, "nginx:1.27");
        var history = await ns.KmctlAsync("rollout", "history", "deployment/nginx-deployment");
        Assert.Matches(@"REVISION +CHANGE-CAUSE *\n1 +<none> *\n2 +kmctl apply .*--record", history);

        await ns.KmctlAsync("rollout", "undo", "deployment/nginx-deployment");
        await RolledOutAsync(ns);
        await AssertImagesAsync(ns, "nginx:latest");
        Assert.All(await ns.LivePodsAsync(), p => Assert.Equal(firstHash, p.Metadata.Labels["pod-template-hash"]));

        await ns.KmctlAsync("rollout", "undo", "deployment/nginx-deployment", "--to-revision=2");
        await RolledOutAsync(ns);
        await AssertImagesAsync(ns, "nginx:1.27");
        // Undo moves the revision it brings back to the top: 1 and 2 are now 3 and 4.
        Assert.Matches(@"REVISION +CHANGE-CAUSE *\n3 .*\n4 .*\n", await ns.KmctlAsync("rollout", "history", "deployment/nginx-deployment"));
    }

    [Fact]
    public async Task Job_Applied_CompletesAndAFailingCommandFailsAfterThreeRuns()
    {
        await using var ns = await TestNamespace.CreateAsync(cluster, "e2e-job");
        var failing = await ns.EditedManifestAsync(
            "seed/22-job.yaml",
            ("name: example-job", "name: failing-job"),
            ("echo Hello, Kubernetes! && sleep 30", "echo Hello, Kubernetes! && exit 1"));
        await ns.ApplyAsync(Kmctl.Manifest("seed/22-job.yaml"));
        await ns.ApplyAsync(failing);
        var jobs = cluster.Client.For<Job>();

        var failed = await Eventually.Found(async () => Finished(await jobs.GetAsync(ns.Name, "failing-job")), Timeout, "the failing job finishes");
        Assert.Equal(("Failed", "BackoffLimitExceeded"), (failed.Type, failed.Reason));
        // A repeated event is one Event whose count goes up, as kube's event correlator keeps them.
        var runs = 0;
        await Eventually.Until(async () => (runs = (await EventsAsync(ns))
            .Where(e => e.InvolvedObject.Name.StartsWith("failing-job-", StringComparison.Ordinal) && e.Reason == "Started")
            .Sum(e => Math.Max(1, e.Count))) >= 3, Timeout, "three runs of the failing pod are recorded");
        Assert.Equal(3, runs);

        var completed = await Eventually.Found(async () => Finished(await jobs.GetAsync(ns.Name, "example-job")), Timeout, "the job finishes");
        Assert.Equal("Complete", completed.Type);
        var job = await jobs.GetAsync(ns.Name, "example-job");
        Assert.InRange((job.Status.CompletionTime.ToDateTimeOffset() - job.Status.StartTime.ToDateTimeOffset()).TotalSeconds, 29, Timeout.TotalSeconds);
        Assert.Matches(@"example-job-[a-z0-9]{5} +0/1 +Completed +0", await ns.KmctlAsync("get", "pods"));
    }

    [Fact]
    public async Task CronJob_Applied_CreatesAJobNamedAfterItsScheduledMinute()
    {
        await using var ns = await TestNamespace.CreateAsync(cluster, "e2e-cron");
        var applied = DateTimeOffset.UtcNow;
        await ns.ApplyAsync(Kmctl.Manifest("seed/23-cronjob.yaml"));

        // Every minute: the first Job comes at the next minute boundary, within about 60 s.
        var job = await Eventually.Found(async () =>
            (await cluster.Client.For<Job>().ListAsync(new ListRequest { Namespace = ns.Name })).Items.FirstOrDefault(), TimeSpan.FromSeconds(90), "the cronjob creates a job");

        var minutes = long.Parse(Assert.Single(Regex.Match(job.Metadata.Name, "^example-cronjob-([0-9]+)$").Groups.Values.Skip(1)).Value, System.Globalization.CultureInfo.InvariantCulture);
        var scheduled = DateTimeOffset.FromUnixTimeSeconds(minutes * 60);
        Assert.InRange(scheduled, applied.AddMinutes(-1), DateTimeOffset.UtcNow);
        var owner = Assert.Single(job.Metadata.OwnerReferences);
        Assert.Equal(("CronJob", "example-cronjob"), (owner.Kind, owner.Name));
    }

    [Fact]
    public async Task DaemonSet_Applied_RunsOnePodOnEveryNode()
    {
        await using var ns = await TestNamespace.CreateAsync(cluster, "e2e-ds");
        var nodes = (await cluster.Client.For<Node>().ListAsync(new ListRequest())).Items.Select(n => n.Metadata.Name).Order(StringComparer.Ordinal).ToList();

        await ns.ApplyAsync(Kmctl.Manifest("seed/24-daemonset.yaml"));

        var pods = await ReadyPodsAsync(ns, nodes.Count);
        Assert.Equal(nodes, pods.Select(p => p.Spec.NodeName).Order(StringComparer.Ordinal));
        var set = await Eventually.Found(async () =>
            await cluster.Client.For<DaemonSet>().GetAsync(ns.Name, "nginx-daemonset") is { Status.NumberReady: var ready } found && ready == nodes.Count ? found : null,
            Timeout, "the daemonset counts every node's pod ready");
        Assert.Equal(nodes.Count, set.Status.DesiredNumberScheduled);
    }

    [Fact]
    public async Task StatefulSet_Applied_OrderedPodsKeepTheirVolumeAndScaleDownFromTheTop()
    {
        await using var ns = await TestNamespace.CreateAsync(cluster, "e2e-sts");
        List<Pod> pods;
        await using (var watch = await PodWatch.StartAsync(cluster.Client, ns.Name))
        {
            await ns.ApplyAsync(Kmctl.Manifest("seed/25-statefulset.yaml"));
            pods = await ReadyPodsAsync(ns, 3);
            await Eventually.Until(() => watch.Created.Count >= 3, Timeout, "the watch sees the three pods created");
            Assert.Equal(["nginx-statefulset-0", "nginx-statefulset-1", "nginx-statefulset-2"], watch.Created);
            // Ordered: each pod appears only when all before it are ready, so at its creation the ready count is its ordinal.
            Assert.Equal([0, 1, 2], watch.States.Where(s => s.Event.StartsWith("Added", StringComparison.Ordinal)).Select(s => s.Ready));
        }

        var page = $"kept by {ns.Name}\n";
        await File.WriteAllTextAsync(Path.Combine(cluster.DataDirectory, "nodes", "volumes", ns.Name, "nginx-persistent-storage-nginx-statefulset-1", "index.html"), page);
        Assert.Equal(page, await PageAsync(pods[1]));

        await ns.KmctlAsync("delete", "pod", "nginx-statefulset-1");
        var recreated = (await ReadyPodsAsync(ns, 3, p => p.Metadata.Name != "nginx-statefulset-1" || p.Metadata.Uid != pods[1].Metadata.Uid)).Single(p => p.Metadata.Name == "nginx-statefulset-1");
        Assert.Equal(page, await PageAsync(recreated));

        await using (var watch = await PodWatch.StartAsync(cluster.Client, ns.Name))
        {
            await ns.KmctlAsync("scale", "statefulset", "nginx-statefulset", "--replicas=1");
            await Eventually.Until(async () => (await ns.LivePodsAsync()).Select(p => p.Metadata.Name).SequenceEqual(["nginx-statefulset-0"]), Timeout, "only ordinal 0 is left");
            // A list can see the last deletion before the watch delivers it: wait for the watch to catch up.
            await Eventually.Until(() => watch.Removed.Count >= 2, Timeout, "the watch sees both deletions");
            Assert.Equal(["nginx-statefulset-2", "nginx-statefulset-1"], watch.Removed);
        }

        Assert.Equal(3, (await cluster.Client.For<PersistentVolumeClaim>().ListAsync(new ListRequest { Namespace = ns.Name })).Items.Count);
    }

    [Fact]
    public async Task Node_KubeletStopped_GoesNotReadyAndItsReplicaSetPodsAreRecreatedOnOtherNodes()
    {
        await using var ns = await TestNamespace.CreateAsync(cluster, "e2e-node");
        await ns.ApplyAsync(Kmctl.Manifest("seed/20-replicaset.yaml"));
        var pods = await ReadyPodsAsync(ns, 3);
        var node = pods[0].Spec.NodeName;
        var index = int.Parse(node["node-".Length..], System.Globalization.CultureInfo.InvariantCulture);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));

        try
        {
            await cluster.StopNodeAsync(index, cts.Token);
            await Eventually.Until(async () => ReadyOf(await cluster.Client.For<Node>().GetAsync("", node)) == "Unknown", Timeout, $"{node} goes NotReady");
            var moved = await ReadyPodsAsync(ns, 3, p => p.Spec.NodeName != node);
            Assert.True(moved.Count(m => pods.All(p => p.Metadata.Uid != m.Metadata.Uid)) >= pods.Count(p => p.Spec.NodeName == node), "every pod of the stopped node has a replacement");
            var (_, nodes, _) = await Kmctl.RunAsync(cluster.Kubeconfig, "get", "node", node);
            Assert.Contains("NotReady", nodes);
        }
        finally
        {
            await cluster.StartNodeAsync(index, cts.Token);
            await Eventually.Until(async () =>
            {
                var n = await cluster.Client.For<Node>().GetAsync("", node);
                return ReadyOf(n) == "True" && n.Spec.Taints.Count == 0;
            }, TimeSpan.FromMinutes(3), $"{node} is Ready again without taints");
        }

        // Evicted gracefully, the stopped node's pods stayed Terminating until its kubelet came back and confirmed.
        await Eventually.Until(
            async () => (await cluster.Client.For<Pod>().ListAsync(new ListRequest { Namespace = ns.Name })).Items.All(p => p.Metadata.DeletionTimestamp is null),
            Timeout, $"the kubelet of {node}, back, finishes its evicted pods");
    }

    /// <summary>Waits until exactly the given number of live pods are Running and Ready, all matching the filter.</summary>
    private static Task<List<Pod>> ReadyPodsAsync(TestNamespace ns, int count, Func<Pod, bool>? filter = null) =>
        Eventually.Found(async () =>
        {
            var pods = await ns.LivePodsAsync();
            return pods.Count == count && pods.All(PodWatch.IsReady) && pods.All(filter ?? (_ => true)) ? pods : null;
        }, Timeout, $"{count} pods are ready in {ns.Name}");

    /// <summary>The page nginx serves at the pod's IP; Ready comes as the process starts, a moment before it listens.</summary>
    private static async Task<string> PageAsync(Pod pod)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string? page = null;
        await Eventually.Until(async () =>
        {
            try
            {
                page = await http.GetStringAsync($"http://{pod.Status.PodIp}/");
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, Timeout, $"{pod.Metadata.Name} serves its page");
        return page!;
    }

    private static Task RolledOutAsync(TestNamespace ns) =>
        Eventually.Until(async () => (await ns.KmctlAsync("rollout", "status", "deployment/nginx-deployment", "--watch=false")).Contains("successfully rolled out", StringComparison.Ordinal),
            Timeout, "rollout status says the deployment rolled out");

    private static async Task AssertImagesAsync(TestNamespace ns, string image) =>
        Assert.All(await ns.LivePodsAsync(), p => Assert.Equal(image, p.Spec.Containers.Single().Image));

    private static Condition? Finished(Job job) =>
        job.Status?.Conditions.FirstOrDefault(c => c.Type is "Complete" or "Failed" && c.Status == "True");

    private static string? ReadyOf(Node node) => node.Status?.Conditions.FirstOrDefault(c => c.Type == "Ready")?.Status;

    private async Task<IReadOnlyList<Event>> EventsAsync(TestNamespace ns) =>
        (await cluster.Client.For<Event>().ListAsync(new ListRequest { Namespace = ns.Name })).Items;

    [GeneratedRegex(@"nginx-replicaset +3 +3 +3 ")]
    private static partial Regex ReplicaSetRow();
}
