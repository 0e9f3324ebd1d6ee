using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;
using static KubeMesh.Scheduler.Tests.TestObjects;

namespace KubeMesh.Scheduler.Tests.Integration;

/// <summary>The scheduler against a real api-server over a real redis-server: pods created over gRPC get bound, or report why not.</summary>
public sealed class SchedulerIntegrationTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static Node[] ThreeNodes() => [Node("node-1"), Node("node-2"), Node("node-3")];

    [SkippableFact]
    public async Task NodeSelectorPod_NoNodeMatches_PendingUntilANodeIsLabelledThenBoundThere()
    {
        await using var cluster = await SchedulerCluster.StartAsync(redis);
        await cluster.CreateNodesAsync(ThreeNodes());
        var pod = Pod("nginx");
        pod.Spec.NodeSelector.Add("foo", "bar");
        await cluster.Pods.CreateAsync(pod);

        const string message = "0/3 nodes are available: 3 node(s) didn't match Pod's node selector.";
        var failed = await cluster.WaitForEventAsync("nginx", "FailedScheduling", message);
        Assert.Equal(EventTypes.Warning, failed.Type);
        Condition? scheduled = null;
        await Eventually.Until(
            async () => (scheduled = (await cluster.Pods.GetAsync("default", "nginx")).Status.Conditions.FirstOrDefault(c => c.Type == "PodScheduled")) is not null,
            SchedulerCluster.Timeout,
            "the PodScheduled condition");
        Assert.Equal(("False", "Unschedulable", message), (scheduled!.Status, scheduled.Reason, scheduled.Message));

        // Parked, not polled: the pod waits among the unschedulable ones for a cluster event that could let it fit.
        await Eventually.Until(() => cluster.Queue.IsUnschedulable("default/nginx"), SchedulerCluster.Timeout, "the pod is parked as unschedulable");
        // A heartbeat-like node update is seen by the scheduler but wakes nobody: no second attempt, no second event.
        await RetryOnConflict.RunAsync(async ct =>
        {
            var node = await cluster.Nodes.GetAsync("", "node-1", ct);
            node.Metadata.Annotations["heartbeat"] = "1";
            await cluster.Nodes.UpdateAsync(node, ct);
        });
        await Eventually.Until(
            () => cluster.Cache.Snapshot().Any(n => n.Name == "node-1" && n.Node.Metadata.Annotations.ContainsKey("heartbeat")),
            SchedulerCluster.Timeout,
            "the scheduler has seen the node update");
        Assert.True(cluster.Queue.IsUnschedulable("default/nginx"), "the node update must not wake the pod");
        var pending = await cluster.Pods.GetAsync("default", "nginx");
        Assert.Equal("", pending.Spec.NodeName);
        Assert.Equal(1, (await cluster.EventsAsync("nginx", "FailedScheduling")).Single().Count);

        await RetryOnConflict.RunAsync(async ct =>
        {
            var node = await cluster.Nodes.GetAsync("", "node-2", ct);
            node.Metadata.Labels["foo"] = "bar";
            await cluster.Nodes.UpdateAsync(node, ct);
        });

        // Well inside the 5-minute safety flush: only the node update can have woken the pod.
        var bound = await cluster.WaitForBindingAsync("nginx", TimeSpan.FromSeconds(5));
        Assert.Equal("node-2", bound.Spec.NodeName);
        await cluster.WaitForEventAsync("nginx", "Scheduled", "Successfully assigned default/nginx to node-2");
    }

    [SkippableFact]
    public async Task ResourceRequests_NodesFillUp_ExtraPodWaitsForFreedCapacity()
    {
        await using var cluster = await SchedulerCluster.StartAsync(redis);
        await cluster.CreateNodesAsync(ThreeNodes());

        for (var i = 1; i <= 3; i++)
        {
            await cluster.Pods.CreateAsync(Pod($"big-{i}", cpu: "1500m", memory: "1Gi"));
        }

        var placed = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            placed.Add((await cluster.WaitForBindingAsync($"big-{i}")).Spec.NodeName);
        }

        // 2 cores each: a second 1500m pod fits on no node, so each node got exactly one.
        Assert.Equal(["node-1", "node-2", "node-3"], placed.Order());

        await cluster.Pods.CreateAsync(Pod("big-4", cpu: "1500m"));
        await cluster.WaitForEventAsync("big-4", "FailedScheduling", "0/3 nodes are available: 3 Insufficient cpu.");
        await cluster.Pods.CreateAsync(Pod("small", cpu: "400m"));
        await cluster.WaitForBindingAsync("small");
        Assert.Equal("", (await cluster.Pods.GetAsync("default", "big-4")).Spec.NodeName);

        var freed = (await cluster.Pods.GetAsync("default", "big-2")).Spec.NodeName;
        await cluster.Pods.DeleteAsync(new DeleteRequest { Namespace = "default", Name = "big-2", GracePeriodSeconds = 0 });

        var bound = await cluster.WaitForBindingAsync("big-4", TimeSpan.FromSeconds(5));
        Assert.Equal(freed, bound.Spec.NodeName);
    }

    [SkippableFact]
    public async Task ReplicaSetPods_SameController_SpreadOverNodes()
    {
        await using var cluster = await SchedulerCluster.StartAsync(redis);
        await cluster.CreateNodesAsync(ThreeNodes());
        var uid = Guid.NewGuid().ToString();

        await cluster.Pods.CreateAsync(Pod("web-a").OwnedBy(uid));
        var first = await cluster.WaitForBindingAsync("web-a");
        await cluster.Pods.CreateAsync(Pod("web-b").OwnedBy(uid));
        var second = await cluster.WaitForBindingAsync("web-b");
        await cluster.Pods.CreateAsync(Pod("web-c").OwnedBy(uid));
        var third = await cluster.WaitForBindingAsync("web-c");

        Assert.Equal(3, new[] { first, second, third }.Select(p => p.Spec.NodeName).Distinct().Count());
    }

    [SkippableFact]
    public async Task NotReadyNodes_Skipped_UntilTheyBecomeReady()
    {
        await using var cluster = await SchedulerCluster.StartAsync(redis);
        await cluster.CreateNodesAsync(Node("node-1", ready: "False"), Node("node-2", ready: "Unknown"), Node("node-3"));

        for (var i = 1; i <= 3; i++)
        {
            await cluster.Pods.CreateAsync(Pod($"p-{i}"));
            Assert.Equal("node-3", (await cluster.WaitForBindingAsync($"p-{i}")).Spec.NodeName);
        }

        var pinned = Pod("pinned");
        pinned.Spec.NodeSelector.Add("kubernetes.io/hostname", "node-1");
        await cluster.Pods.CreateAsync(pinned);
        await cluster.WaitForEventAsync(
            "pinned",
            "FailedScheduling",
            "0/3 nodes are available: 1 node(s) didn't match Pod's node selector, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, "
            + "1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }.");

        await RetryOnConflict.RunAsync(async ct =>
        {
            var node = await cluster.Nodes.GetAsync("", "node-1", ct);
            node.Status.Conditions.Single(c => c.Type == "Ready").Status = "True";
            await cluster.Nodes.UpdateStatusAsync(node, ct);
        });

        Assert.Equal("node-1", (await cluster.WaitForBindingAsync("pinned", TimeSpan.FromSeconds(5))).Spec.NodeName);
    }
}
