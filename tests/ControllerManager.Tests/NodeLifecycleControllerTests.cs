using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using KubeMesh.Api.Coordination.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ControllerManager.Controllers.NodeLifecycle;

namespace KubeMesh.ControllerManager.Tests;

public sealed class NodeLifecycleControllerTests(ApiServerFixture api) : IClassFixture<ApiServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(1.5);

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["NodeLifecycle:GracePeriod"] = GracePeriod.ToString(),
        ["NodeLifecycle:PodEvictionTimeout"] = "00:00:01",
        ["NodeLifecycle:MonitorPeriod"] = "00:00:00.2",
    };

    [SkippableFact]
    public async Task Sync_LeaseStopsRenewing_MarksNodeUnknownTaintsItAndEvictsPods()
    {
        await using var harness = await ControllerHarness.StartAsync(api, Settings, c => new NodeLifecycleController(c));
        var node = "node-" + harness.Namespace;
        await CreateNodeAsync(node);
        using var heartbeat = new CancellationTokenSource();
        var renewing = RenewLeaseAsync(node, heartbeat.Token);
        await using var kubelet = new FakeKubelet(api.Client, harness.Namespace, TimeSpan.Zero, onlyBound: true);
        await api.Client.For<Pod>().CreateAsync(TestObjects.Pod(harness.Namespace, "evicted", "web", node));
        var tolerating = TestObjects.Pod(harness.Namespace, "tolerating", "web", node);
        tolerating.Spec.Tolerations.Add(new Toleration { Key = "node.kubernetes.io/unreachable", Operator = "Exists", Effect = "NoExecute" });
        await api.Client.For<Pod>().CreateAsync(tolerating);
        await Eventually.Until(async () => (await api.Client.For<Pod>().ListAsync(new ListRequest { Namespace = harness.Namespace })).Items.All(p => p.Status.Phase == "Running"), Timeout, "pods run");

        // The controller looks at the node every monitor period: once it has done so later than a grace period
        // from now, a heartbeat it ignored would have made the node Unknown.
        var pastGrace = ControllerHarness.Mark() + (long)(GracePeriod.TotalSeconds * 1.5 * Stopwatch.Frequency);
        await harness.SyncedAsync(node, pastGrace, "a grace period of heartbeats");
        Assert.Equal("True", ReadyOf(await GetNodeAsync(node)).Status);

        await heartbeat.CancelAsync();
        await renewing;
        kubelet.Paused = true;

        await Eventually.Until(async () => ReadyOf(await GetNodeAsync(node)).Status == "Unknown", Timeout, "the node is Unknown");
        var unknown = await GetNodeAsync(node);
        Assert.Equal(("NodeStatusUnknown", "Kubelet stopped posting node status."), (ReadyOf(unknown).Reason, ReadyOf(unknown).Message));
        await Eventually.Until(async () => ((await GetNodeAsync(node)).Spec?.Taints.Any(t => t is { Key: "node.kubernetes.io/unreachable", Effect: "NoExecute" }) ?? false), Timeout, "the node is tainted");
        // Evicted gracefully: Terminating until a kubelet confirms, which this silent one cannot.
        await Eventually.Until(async () => (await api.Client.For<Pod>().GetAsync(harness.Namespace, "evicted")).Metadata.DeletionTimestamp is not null, Timeout, "the pod is evicted");
        var kept = await api.Client.For<Pod>().GetAsync(harness.Namespace, "tolerating");
        Assert.Equal("False", kept.Status.Conditions.First(c => c.Type == "Ready").Status);

        // The kubelet comes back: it renews its lease and posts Ready again; the taint goes.
        using var back = new CancellationTokenSource();
        var renewingAgain = RenewLeaseAsync(node, back.Token);
        await SetReadyAsync(node);
        await Eventually.Until(async () => !((await GetNodeAsync(node)).Spec?.Taints.Any(t => t.Key == "node.kubernetes.io/unreachable") ?? false), Timeout, "the taint is removed");
        await back.CancelAsync();
        await renewingAgain;
    }

    [SkippableFact]
    public async Task Sync_NodeAddedThenDeleted_RecordsRegisteredNodeThenRemovingNode()
    {
        await using var harness = await ControllerHarness.StartAsync(api, Settings, c => new NodeLifecycleController(c));
        var node = "node-events-" + harness.Namespace;
        await CreateNodeAsync(node);
        var uid = (await GetNodeAsync(node)).Metadata.Uid;

        await Eventually.Until(async () => (await NodeEventsAsync(node)).Contains("RegisteredNode"), Timeout, "RegisteredNode is recorded");
        await api.Client.For<Node>().DeleteAsync(new DeleteRequest { Name = node });
        await Eventually.Until(async () => (await NodeEventsAsync(node)).Contains("RemovingNode"), Timeout, "RemovingNode is recorded");

        var events = (await api.Client.For<Event>().ListAsync(new ListRequest { Namespace = "default", FieldSelector = "involvedObject.name=" + node })).Items;
        var registered = Assert.Single(events, e => e.Reason == "RegisteredNode");
        Assert.Equal(("Node", uid, "Normal", $"Node {node} event: Registered Node {node} in Controller"),
            (registered.InvolvedObject.Kind, registered.InvolvedObject.Uid, registered.Type, registered.Message));
        Assert.Equal($"Node {node} event: Removing Node {node} from Controller", Assert.Single(events, e => e.Reason == "RemovingNode").Message);
    }

    [SkippableFact]
    public async Task PodGC_PodOfANodeThatDoesNotExist_IsForceDeletedAfterTheQuarantine()
    {
        await using var harness = await ControllerHarness.StartAsync(
            api, new Dictionary<string, string?> { ["PodGC:CheckPeriod"] = "00:00:00.2", ["PodGC:Quarantine"] = "00:00:01" }, c => new KubeMesh.ControllerManager.Controllers.PodGC.PodGCController(c));
        var pods = api.Client.For<Pod>();
        var live = "node-live-" + harness.Namespace;
        await CreateNodeAsync(live);
        await pods.CreateAsync(TestObjects.Pod(harness.Namespace, "orphan", "web", "node-gone-" + harness.Namespace));
        await pods.CreateAsync(TestObjects.Pod(harness.Namespace, "kept", "web", live));

        await Eventually.Until(async () => !await PodExistsAsync(harness, "orphan"), Timeout, "the orphan is force-deleted");

        Assert.True(await PodExistsAsync(harness, "kept"));
    }

    private async Task<List<string>> NodeEventsAsync(string node) =>
        [.. (await api.Client.For<Event>().ListAsync(new ListRequest { Namespace = "default", FieldSelector = "involvedObject.name=" + node })).Items.Select(e => e.Reason)];

    private async Task CreateNodeAsync(string name)
    {
        await api.Client.For<Node>().CreateAsync(new Node { Metadata = new ObjectMeta { Name = name } });
        await SetReadyAsync(name);
    }

    private async Task SetReadyAsync(string name)
    {
        var node = await GetNodeAsync(name);
        var now = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        node.Status ??= new NodeStatus();
        node.Status.Conditions.Clear();
        node.Status.Conditions.Add(new Condition { Type = "Ready", Status = "True", Reason = "KubeletReady", LastHeartbeatTime = now, LastTransitionTime = now });
        await api.Client.For<Node>().UpdateStatusAsync(node);
    }

    private async Task RenewLeaseAsync(string node, CancellationToken cancellationToken)
    {
        var leases = api.Client.For<Lease>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var lease = new Lease { Metadata = new ObjectMeta { Namespace = "kube-node-lease", Name = node }, Spec = new LeaseSpec { HolderIdentity = node, LeaseDurationSeconds = 40, RenewTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) } };
                try
                {
                    var current = await leases.GetAsync("kube-node-lease", node, cancellationToken);
                    current.Spec.RenewTime = lease.Spec.RenewTime;
                    await leases.UpdateAsync(current, cancellationToken);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
                {
                    await leases.CreateAsync(lease, cancellationToken);
                }

                await Task.Delay(200, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private Task<Node> GetNodeAsync(string name) => api.Client.For<Node>().GetAsync("", name);

    private static Condition ReadyOf(Node node) => node.Status.Conditions.First(c => c.Type == "Ready");

    private async Task<bool> PodExistsAsync(ControllerHarness harness, string name)
    {
        try
        {
            await api.Client.For<Pod>().GetAsync(harness.Namespace, name);
            return true;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return false;
        }
    }
}
