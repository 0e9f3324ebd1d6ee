using Grpc.Core;
using KubeMesh.Api.Coordination.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.ApiServer.Tests.Infrastructure;
using KubeMesh.Client;
using KubeMesh.Client.LeaderElection;
using KubeMesh.Testing;
using Grpc.Core.Interceptors;

namespace KubeMesh.ApiServer.Tests.LeaderElection;

/// <summary>Real electors against a real api-server and store, on the real clock, with durations scaled down from client-go's.</summary>
public sealed class LeaseElectionTests(ApiServerFixture fixture) : ApiTestBase(fixture), IClassFixture<ApiServerFixture>
{
    private static readonly LeaderElectionConfig Fast = new()
    {
        LeaseDuration = TimeSpan.FromSeconds(3),
        RenewDeadline = TimeSpan.FromSeconds(2),
        RetryPeriod = TimeSpan.FromMilliseconds(300),
    };

    [Fact]
    public async Task TwoElectors_LeaderStops_TheOtherTakesOverAfterTheLeaseAndTheLeaseSaysSo()
    {
        using var client = KubeMeshClient.Create(Api.Address);
        var leases = client.For<Lease>();
        using var stopA = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var stopB = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var a = new LeaderElector(Fast, new LeaseLock(leases, Ns, "kube-scheduler", "a"));
        var runA = Task.Run(() => a.RunAsync(stopA.Token));
        await Eventually.Until(() => a.IsLeader, TimeSpan.FromSeconds(30), "a leads");
        var b = new LeaderElector(Fast, new LeaseLock(leases, Ns, "kube-scheduler", "b"));
        var runB = Task.Run(() => b.RunAsync(stopB.Token));
        await Eventually.Until(() => b.Leader == "a", TimeSpan.FromSeconds(30), "b sees a as the leader");

        var held = await leases.GetAsync(Ns, "kube-scheduler");
        Assert.Equal("a", held.Spec.HolderIdentity);
        Assert.Equal(3, held.Spec.LeaseDurationSeconds);
        Assert.Equal(0, held.Spec.LeaseTransitions);
        Assert.NotNull(held.Spec.AcquireTime);

        // a stops as a killed process does: no release, the lease simply stops being renewed.
        await stopA.CancelAsync();
        await runA.WaitAsync(TimeSpan.FromSeconds(30));
        var stoppedAt = DateTimeOffset.UtcNow;
        var bothLed = false;
        await Eventually.Until(() =>
        {
            bothLed |= a.IsLeader && b.IsLeader;
            return b.IsLeader;
        }, TimeSpan.FromSeconds(30), "b takes over");

        Assert.False(bothLed);
        Assert.True(DateTimeOffset.UtcNow - stoppedAt >= TimeSpan.FromSeconds(2.5), "b waited out (most of) the lease a last renewed");
        var taken = await leases.GetAsync(Ns, "kube-scheduler");
        Assert.Equal("b", taken.Spec.HolderIdentity);
        Assert.Equal(1, taken.Spec.LeaseTransitions);
        Assert.True(taken.Spec.AcquireTime.ToDateTimeOffset() > held.Spec.AcquireTime.ToDateTimeOffset());
        await stopB.CancelAsync();
        await runB.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task LeaderWriteGuard_NotLeader_RefusesWritesButServesReads()
    {
        using var client = KubeMeshClient.Create(Api.Address);
        var standby = new Standby();
        var guarded = new KubeMeshClient(client.CallInvoker.Intercept(new LeaderWriteGuard(standby, $"{Ns}/kube-controller-manager")));

        var refused = await Assert.ThrowsAsync<RpcException>(() => guarded.For<ConfigMap>().CreateAsync(NewConfigMap(Ns, "from-standby")));
        var listed = await guarded.For<ConfigMap>().ListAsync(new ListRequest { Namespace = Ns });

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("does not hold the lease", refused.Status.Detail);
        Assert.Empty(listed.Items);
        standby.Leads = true;
        await guarded.For<ConfigMap>().CreateAsync(NewConfigMap(Ns, "from-leader"));
    }

    private sealed class Standby : ILeadership
    {
        public volatile bool Leads;

        public bool IsLeader => Leads;

        public Task WaitForLeadershipAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
