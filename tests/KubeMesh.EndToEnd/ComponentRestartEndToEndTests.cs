using System.Net;
using KubeMesh.Api.Coordination.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.EndToEnd;

/// <summary>
/// kill -9 of a component's process under the AppHost: the supervisor starts it again after its back-off (the
/// dashboard's "restarts" counts it), the other replica carries on meanwhile, and a standby scheduler or
/// controller-manager takes the leader's Lease.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ComponentRestartEndToEndTests(ClusterFixture cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Store_KilledWithSigkill_IsStartedAgainAndKeepsWhatItAcknowledged()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var configMaps = cluster.Client.For<ConfigMap>();
        var name = "before-store-kill-" + Guid.NewGuid().ToString("N")[..6];
        await configMaps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Namespace = "default", Name = name } }, cts.Token);

        var killed = await ComponentProcess.KillAsync(cluster.App, "store", cts.Token);

        var back = await ComponentProcess.WaitForRestartAsync(cluster.App, "store", killed, cts.Token);
        Assert.Equal(ComponentProcess.Restarts(killed) + 1, ComponentProcess.Restarts(back));
        var kept = await Eventually.Returns(() => configMaps.GetAsync("default", name, cts.Token), Timeout);
        Assert.Equal(name, kept.Metadata.Name);
        await configMaps.DeleteAsync(new DeleteRequest { Namespace = "default", Name = name }, cts.Token);
    }

    [Fact]
    public async Task ApiServerReplica_KilledWithSigkill_KmctlGoesOnThroughTheOtherAndItComesBack()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var killed = await ComponentProcess.KillAsync(cluster.App, "api-server-1", cts.Token);
        await Eventually.Until(async () => !await FreePort.AcceptsAsync(IPAddress.Loopback, cluster.ApiServerPort), Timeout, "api-server-1 is down");

        // kmctl is given both replicas, as the AppHost's default server is; the first refuses, the second answers.
        var name = "while-api-server-1-down-" + Guid.NewGuid().ToString("N")[..6];
        var created = await Kmctl.RunAsync(cluster.Kubeconfig, "create", "configmap", name, "--from-literal=a=b");
        Assert.True(created.ExitCode == 0, created.Error);
        var got = await Kmctl.RunAsync(cluster.Kubeconfig, "get", "configmap", name);
        Assert.True(got.ExitCode == 0, got.Error);
        Assert.Contains(name, got.Output, StringComparison.Ordinal);

        var back = await ComponentProcess.WaitForRestartAsync(cluster.App, "api-server-1", killed, cts.Token);
        Assert.Equal(ComponentProcess.Restarts(killed) + 1, ComponentProcess.Restarts(back));
        await FreePort.WaitUntilListeningAsync(IPAddress.Loopback, cluster.ApiServerPort, Timeout);
        using var first = cluster.AdminClient($"https://127.0.0.1:{cluster.ApiServerPort}");
        var seen = await Eventually.Returns(() => first.For<ConfigMap>().GetAsync("default", name, cts.Token), Timeout);
        Assert.Equal("b", seen.Data["a"]);
        await first.For<ConfigMap>().DeleteAsync(new DeleteRequest { Namespace = "default", Name = name }, cts.Token);
    }

    [Theory]
    [InlineData("kube-scheduler")]
    [InlineData("kube-controller-manager")]
    public async Task Leader_KilledWithSigkill_AnotherReplicaTakesTheLeaseAndANewDeploymentRuns(string leaseName)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var leases = cluster.Client.For<Lease>();
        var before = await Eventually.Until(
            () => leases.GetAsync("kube-system", leaseName, cts.Token), l => !string.IsNullOrEmpty(l.Spec.HolderIdentity), Timeout, $"{leaseName} has a holder");
        // The identity is the resource name, then "_" and a per-process uid, as client-go's hostname_uid.
        var leader = before.Spec.HolderIdentity.Split('_')[0];

        await ComponentProcess.KillAsync(cluster.App, leader, cts.Token);

        // Nobody released it: a standby takes it once leaseDurationSeconds (15) passed since the last renewal.
        var after = await Eventually.Until(
            () => leases.GetAsync("kube-system", leaseName, cts.Token), l => l.Spec.HolderIdentity != before.Spec.HolderIdentity, Timeout, $"another replica takes {leaseName}");
        Assert.Equal(before.Spec.LeaseTransitions + 1, after.Spec.LeaseTransitions);
        Assert.Equal(15, after.Spec.LeaseDurationSeconds);
        Assert.True(after.Spec.AcquireTime.ToDateTime() > before.Spec.RenewTime.ToDateTime(), "acquired after the old leader's last renewal");

        await using var ns = await TestNamespace.CreateAsync(cluster, "e2e-failover");
        await ns.ApplyAsync(Kmctl.Manifest("seed/21-deployment.yaml"));
        await Eventually.Until(
            async () => (await ns.LivePodsAsync()) is { Count: 3 } pods && pods.All(p => p.Status.Phase == "Running"), Timeout, "3 Running pods under the new leader");
    }
}
