using Xunit.Abstractions;

namespace KubeMesh.EndToEnd.Chaos;

/// <summary>
/// The short chaos run (bench/ChaosSoak runs the long one): the controller-manager's leader stopped past its lease,
/// then one control-plane component at a time killed with SIGKILL, while writes go on and a workload of every kind
/// changes; nothing acknowledged is lost or missed by a watch, nothing that must never happen does, and the cluster
/// converges.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ChaosEndToEndTests(ClusterFixture cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task ControlPlane_KilledOneAtATime_LosesNoAcknowledgedWriteAndConverges()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        // The controller-manager's leader stopped for longer than its lease, then three components killed, each
        // awaited until the supervisor has it running again.
        var kills = new[] { "api-server-1", "api-server-2", "store", "leader:kube-scheduler", "leader:kube-controller-manager" }.OrderBy(_ => Random.Shared.Next()).Take(3);
        var options = new ChaosOptions(
            Duration: TimeSpan.Zero,
            FaultInterval: TimeSpan.FromSeconds(2),
            Targets: ["pause:leader:kube-controller-manager", .. kills],
            Namespace: "e2e-chaos-" + Guid.NewGuid().ToString("N")[..6],
            Seed: Environment.TickCount,
            MinimumRounds: 4,
            InOrder: true);
        var run = new ChaosRun(cluster.App, cluster.Client, options, output.WriteLine);

        ChaosReport report;
        try
        {
            report = await run.RunAsync(cts.Token);
        }
        finally
        {
            await cluster.Client.For<KubeMesh.Api.Core.V1.Namespace>().DeleteAsync(new KubeMesh.Api.Meta.V1.DeleteRequest { Name = options.Namespace }, CancellationToken.None);
        }

        output.WriteLine($"faults {string.Join(", ", report.FaultsByTarget.Select(f => $"{f.Key}={f.Value}"))}; acknowledged {report.WritesAcknowledged}, failed {report.WritesFailed}, converged {report.ConvergenceAfterLastFault.TotalSeconds:F1} s after the last fault; watches {report.Watches}");
        Assert.Equal(4, report.FaultsByTarget.Values.Sum());
        Assert.True(report.WritesAcknowledged > 0, "writes were acknowledged");
        Assert.Empty(report.WritesLost);
        Assert.Empty(report.Violations);
    }
}
