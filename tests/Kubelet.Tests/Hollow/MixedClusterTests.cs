using KubeMesh.Api.Coordination.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Kubelet.Hollow;

namespace KubeMesh.Kubelet.Tests.Hollow;

[Collection(MixedClusterCollection.Name)]
public sealed class MixedClusterTests(MixedClusterFixture cluster)
{
    private static readonly Toleration HollowToleration = new() { Key = HollowNode.Label, Operator = "Exists", Effect = "NoSchedule" };

    [Fact]
    public async Task HollowNodes_RegisterWithTheirLabelTaintAndRange_AndRenewTheirLeases()
    {
        var nodes = (await cluster.Client.For<Node>().ListAsync(new ListRequest())).Items;
        var hollow = nodes.Where(n => n.Metadata.Name.StartsWith(cluster.HollowPrefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(MixedClusterFixture.HollowCount, hollow.Count);
        foreach (var node in hollow)
        {
            // The lifecycle test stops one node; every node still running is Ready.
            var ready = node.Status.Conditions.Single(c => c.Type == "Ready").Status;
            Assert.Equal(cluster.Hollow.Find(node.Metadata.Name) is null ? "Unknown" : "True", ready);
            Assert.Equal("true", node.Metadata.Labels[HollowNode.Label]);
            var taint = Assert.Single(node.Spec.Taints);
            Assert.Equal((HollowNode.Label, "true", "NoSchedule"), (taint.Key, taint.Value, taint.Effect));
            Assert.StartsWith(cluster.HollowNetwork[..cluster.HollowNetwork.IndexOf(".0.0/", StringComparison.Ordinal)], node.Spec.PodCidr, StringComparison.Ordinal);
            Assert.Equal(("4", "16Gi", "110"), (node.Status.Allocatable["cpu"], node.Status.Allocatable["memory"], node.Status.Allocatable["pods"]));
        }

        foreach (var real in cluster.RealNodes)
        {
            var node = Assert.Single(nodes, n => n.Metadata.Name == real.NodeName);
            Assert.False(node.Metadata.Labels.ContainsKey(HollowNode.Label));
            Assert.Empty(node.Spec.Taints);
        }

        var leases = cluster.Client.For<Lease>();
        var name = cluster.HollowPrefix + "3";
        var first = await leases.GetAsync("kube-node-lease", name);
        Assert.Equal(name, first.Spec.HolderIdentity);
        await Eventually.Until(
            async () => (await leases.GetAsync("kube-node-lease", name)).Spec.RenewTime.ToDateTimeOffset() > first.Spec.RenewTime.ToDateTimeOffset(),
            TimeSpan.FromSeconds(20), $"the lease of {name} is renewed");
    }

    [Fact]
    public async Task Scheduler_PutsPodsThatTolerateTheTaintOnHollowNodes_WhereTheyRunAndPassProbes()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pods = cluster.Client.For<Pod>();
        for (var i = 0; i < 20; i++)
        {
            await pods.CreateAsync(new Pod
            {
                Metadata = new ObjectMeta { Namespace = ns, Name = $"hollow-{i}" },
                Spec = new PodSpec
                {
                    NodeSelector = { [HollowNode.Label] = "true" },
                    Tolerations = { HollowToleration },
                    InitContainers = { new Container { Name = "setup", Image = "busybox", Command = { "true" } } },
                    Containers =
                    {
                        new Container
                        {
                            Name = "web",
                            Image = "nginx",
                            Resources = new ResourceRequirements { Requests = { ["cpu"] = "500m", ["memory"] = "1Gi" } },
                            ReadinessProbe = new Probe { HttpGet = new HTTPGetAction { Port = Google.Protobuf.WellKnownTypes.Value.ForNumber(80) }, PeriodSeconds = 1 },
                        },
                    },
                },
            });
        }

        IReadOnlyList<Pod> ready = [];
        await Eventually.Until(async () =>
        {
            ready = (await pods.ListAsync(new ListRequest { Namespace = ns })).Items
                .Where(p => p.Status?.Phase == "Running" && p.Status.Conditions.Any(c => c is { Type: "Ready", Status: "True" })).ToList();
            return ready.Count == 20;
        }, TimeSpan.FromSeconds(60), "20 pods are Running and Ready on hollow nodes");

        Assert.All(ready, p => Assert.StartsWith(cluster.HollowPrefix, p.Spec.NodeName, StringComparison.Ordinal));
        Assert.True(ready.Select(p => p.Spec.NodeName).Distinct().Count() > 5, "the pods spread over the hollow nodes");
        var pod = ready[0];
        Assert.Equal("Completed", Assert.Single(pod.Status.InitContainerStatuses).State.Terminated.Reason);
        Assert.True(Assert.Single(pod.Status.ContainerStatuses).Ready);
        var events = (await cluster.Client.For<Event>().ListAsync(new ListRequest { Namespace = ns })).Items
            .Where(e => e.InvolvedObject.Name == pod.Metadata.Name).ToList();
        Assert.Contains(events, e => e.Reason == "Scheduled");
        Assert.Contains(events, e => e is { Reason: "Started", Source.Component: "kubelet" } && e.Source.Host == pod.Spec.NodeName);
    }

    [Fact]
    public async Task Scheduler_KeepsPodsWithoutTheTolerationOffHollowNodes()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pods = cluster.Client.For<Pod>();
        await pods.CreateAsync(new Pod
        {
            Metadata = new ObjectMeta { Namespace = ns, Name = "anywhere" },
            Spec = new PodSpec { Containers = { new Container { Name = "main", Image = "busybox", Command = { "sh", "-c", "sleep 3600" } } } },
        });
        await pods.CreateAsync(new Pod
        {
            Metadata = new ObjectMeta { Namespace = ns, Name = "hollow-only" },
            Spec = new PodSpec
            {
                NodeSelector = { [HollowNode.Label] = "true" },
                Containers = { new Container { Name = "main", Image = "busybox", Command = { "sh", "-c", "sleep 3600" } } },
            },
        });

        Pod anywhere = null!;
        await Eventually.Until(async () => (anywhere = await pods.GetAsync(ns, "anywhere")).Status?.Phase == "Running", TimeSpan.FromSeconds(60), "the pod without a toleration is Running");
        Assert.Contains(cluster.RealNodes, n => n.NodeName == anywhere.Spec.NodeName);

        Pod pending = null!;
        await Eventually.Until(
            async () => (pending = await pods.GetAsync(ns, "hollow-only")).Status?.Conditions.Any(c => c is { Type: "PodScheduled", Status: "False" }) == true,
            TimeSpan.FromSeconds(60), "the pod that selects hollow nodes but does not tolerate them is reported unschedulable");
        Assert.Equal("", pending.Spec.NodeName);
        Assert.Contains($"{MixedClusterFixture.HollowCount} node(s) had untolerated taint {{{HollowNode.Label}: true}}", pending.Status.Conditions.Single(c => c.Type == "PodScheduled").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeLifecycle_MarksAStoppedHollowNodeNotReady_AndLeavesTheOthersReady()
    {
        var name = cluster.HollowPrefix + MixedClusterFixture.HollowCount;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await cluster.Hollow.StopNodeAsync(name, timeout.Token);

        Node node = null!;
        await Eventually.Until(
            async () => (node = await cluster.Client.For<Node>().GetAsync("", name)).Status.Conditions.Single(c => c.Type == "Ready").Status == "Unknown",
            MixedClusterFixture.GracePeriod + TimeSpan.FromSeconds(30), $"{name} is marked NotReady (Unknown) after its grace period");

        Assert.Equal("NodeStatusUnknown", node.Status.Conditions.Single(c => c.Type == "Ready").Reason);
        await Eventually.Until(
            async () => (await cluster.Client.For<Node>().GetAsync("", name)).Spec.Taints.Any(t => t is { Key: "node.kubernetes.io/unreachable", Effect: "NoExecute" }),
            TimeSpan.FromSeconds(60), $"{name} has the unreachable taint");
        var ready = await cluster.ReadyNodesAsync();
        Assert.Equal(MixedClusterFixture.HollowCount - 1 + 3, ready.Count);
    }
}
