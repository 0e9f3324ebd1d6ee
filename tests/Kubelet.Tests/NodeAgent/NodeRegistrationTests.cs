using KubeMesh.Api.Coordination.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Client;

namespace KubeMesh.Kubelet.Tests.NodeAgent;

[Collection(NodeAgentCollection.Name)]
public sealed class NodeRegistrationTests(NodeAgentFixture cluster)
{
    [SkippableFact]
    public async Task Start_RegistersTheNodeWithItsAddressRangeAndEndpoint()
    {
        var kubelet = cluster.Kubelet;
        var node = await WaitForAsync(() => cluster.Client.For<Node>().GetAsync("", kubelet.NodeName), n => n.Status?.Conditions.Count > 0);

        Assert.Equal(kubelet.NodeName, node.Metadata.Labels["kubernetes.io/hostname"]);
        Assert.Equal("linux", node.Metadata.Labels["kubernetes.io/os"]);
        Assert.True(node.Metadata.Labels.ContainsKey("kubernetes.io/arch"));
        Assert.Equal($"127.10.{kubelet.NodeIndex}.0/24", node.Spec.PodCidr);
        Assert.Equal([$"127.10.{kubelet.NodeIndex}.0/24"], node.Spec.PodCidrs);
        Assert.Equal(kubelet.Address.ToString(), node.Status.Addresses.Single(a => a.Type == "InternalIP").Address);
        Assert.Equal(kubelet.NodeName, node.Status.Addresses.Single(a => a.Type == "Hostname").Address);
        Assert.Equal(kubelet.Port, node.Status.DaemonEndpoints.KubeletEndpoint.Port);
        Assert.Equal(Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture), node.Status.Capacity["cpu"]);
        Assert.EndsWith("Ki", node.Status.Capacity["memory"], StringComparison.Ordinal);
        Assert.Equal("110", node.Status.Allocatable["pods"]);
        Assert.Equal("v1.30.0-kubemesh", node.Status.NodeInfo.KubeletVersion);
        Assert.Equal("linux", node.Status.NodeInfo.OperatingSystem);
        Assert.StartsWith("kubemesh://", node.Status.NodeInfo.ContainerRuntimeVersion, StringComparison.Ordinal);
        var ready = node.Status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal(("True", "KubeletReady", "kubelet is posting ready status"), (ready.Status, ready.Reason, ready.Message));
    }

    [SkippableFact]
    public async Task Start_AnnouncesItselfAndEachConditionAsEventsOnTheNode()
    {
        var kubelet = cluster.Kubelet;
        string[] expected = ["Starting", "NodeHasSufficientMemory", "NodeHasNoDiskPressure", "NodeHasSufficientPID", "NodeReady"];
        var events = await WaitForAsync(
            async () => (await cluster.Client.For<Event>().ListAsync(new ListRequest { Namespace = "default", FieldSelector = "involvedObject.name=" + kubelet.NodeName })).Items.ToList(),
            list => expected.All(reason => list.Any(e => e.Reason == reason)));

        var node = await cluster.Client.For<Node>().GetAsync("", kubelet.NodeName);
        Assert.All(events.Where(e => expected.Contains(e.Reason)), e =>
        {
            Assert.Equal(("Node", node.Metadata.Uid, "Normal", "kubelet", kubelet.NodeName), (e.InvolvedObject.Kind, e.InvolvedObject.Uid, e.Type, e.Source.Component, e.Source.Host));
            Assert.Equal(e.Reason == "Starting" ? "Starting kubelet." : $"Node {kubelet.NodeName} status is now: {e.Reason}", e.Message);
        });
    }

    [SkippableFact]
    public async Task Heartbeat_RenewsTheLeaseAndPostsReady()
    {
        var kubelet = cluster.Kubelet;
        var leases = cluster.Client.For<Lease>();
        var first = await WaitForAsync(() => leases.GetAsync("kube-node-lease", kubelet.NodeName), l => l.Spec?.RenewTime is not null);
        Assert.Equal(kubelet.NodeName, first.Spec.HolderIdentity);
        Assert.Equal(40, first.Spec.LeaseDurationSeconds);
        Assert.Equal("Node", Assert.Single(first.Metadata.OwnerReferences).Kind);

        var renewed = await WaitForAsync(() => leases.GetAsync("kube-node-lease", kubelet.NodeName), l => l.Spec.RenewTime.ToDateTimeOffset() > first.Spec.RenewTime.ToDateTimeOffset());
        Assert.True(renewed.Spec.RenewTime.ToDateTimeOffset() - first.Spec.RenewTime.ToDateTimeOffset() < TimeSpan.FromSeconds(10));

        var node = await cluster.Client.For<Node>().GetAsync("", kubelet.NodeName);
        var heartbeat = node.Status.Conditions.Single(c => c.Type == "Ready").LastHeartbeatTime.ToDateTimeOffset();
        await WaitForAsync(() => cluster.Client.For<Node>().GetAsync("", kubelet.NodeName),
            n => n.Status.Conditions.Single(c => c.Type == "Ready").LastHeartbeatTime.ToDateTimeOffset() > heartbeat);
    }

    [SkippableFact]
    public async Task Heartbeat_RenewsALeaseSomeoneElseChangedOrDeleted()
    {
        // Renewals write from the lease the kubelet wrote last, without reading it first; a lease changed by
        // someone else (a conflict) or deleted must send it back to reading or creating the lease.
        var kubelet = cluster.Kubelet;
        var leases = cluster.Client.For<Lease>();
        var current = await WaitForAsync(() => leases.GetAsync("kube-node-lease", kubelet.NodeName), l => l.Spec?.RenewTime is not null);
        var changed = await RetryOnConflict.RunAsync(async ct =>
        {
            var lease = (await leases.GetAsync("kube-node-lease", kubelet.NodeName, ct)).Clone();
            lease.Metadata.Labels["touched-by"] = "test";
            return await leases.UpdateAsync(lease, ct);
        });
        var afterConflict = await WaitForAsync(
            () => leases.GetAsync("kube-node-lease", kubelet.NodeName),
            l => l.Spec.RenewTime.ToDateTimeOffset() > changed.Spec.RenewTime.ToDateTimeOffset());
        Assert.Equal("test", afterConflict.Metadata.Labels["touched-by"]);
        Assert.Equal(kubelet.NodeName, afterConflict.Spec.HolderIdentity);

        await leases.DeleteAsync(new DeleteRequest { Namespace = "kube-node-lease", Name = kubelet.NodeName });
        var recreated = await WaitForAsync(() => leases.GetAsync("kube-node-lease", kubelet.NodeName), l => l.Metadata.Uid != current.Metadata.Uid);
        var renewed = await WaitForAsync(
            () => leases.GetAsync("kube-node-lease", kubelet.NodeName),
            l => l.Spec.RenewTime.ToDateTimeOffset() > recreated.Spec.RenewTime.ToDateTimeOffset());
        Assert.Equal(recreated.Metadata.Uid, renewed.Metadata.Uid);
        Assert.Equal("Node", Assert.Single(renewed.Metadata.OwnerReferences).Kind);
    }

    /// <summary>Polls until the object exists and meets the condition (NotFound is "not yet").</summary>
    private static Task<T> WaitForAsync<T>(Func<Task<T>> get, Func<T, bool> condition) =>
        Eventually.Until(get, condition, TimeSpan.FromSeconds(20), $"the {typeof(T).Name} meets the condition");
}
