using Xunit.Abstractions;

namespace KubeMesh.EndToEnd.Chaos;

/// <summary>
/// The short chaos run (bench/ChaosSoak runs the long one): one control-plane component at a time killed with SIGKILL
/// while writes go on and a Deployment scales; nothing acknowledged is lost and the cluster converges.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ChaosEndToEndTests(ClusterFixture cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task ControlPlane_KilledOneAtATime_LosesNoAcknowledgedWriteAndConverges()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var options = new ChaosOptions(
            // Three faults, each awaited until the supervisor has the component running again.
            Duration: TimeSpan.Zero,
            FaultInterval: TimeSpan.FromSeconds(2),
            Targets: ["api-server-1", "api-server-2", "store", "leader:kube-scheduler", "leader:kube-controller-manager"],
            Namespace: "e2e-chaos-" + Guid.NewGuid().ToString("N")[..6],
            Seed: Environment.TickCount,
            MinimumRounds: 3);
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

        output.WriteLine($"faults {string.Join(", ", report.FaultsByTarget.Select(f => $"{f.Key}={f.Value}"))}; acknowledged {report.WritesAcknowledged}, failed {report.WritesFailed}, converged {report.ConvergenceAfterLastFault.TotalSeconds:F1} s after the last fault");
        Assert.Equal(3, report.FaultsByTarget.Values.Sum());
        Assert.True(report.WritesAcknowledged > 0, "writes were acknowledged");
        Assert.Empty(report.WritesLost);
    }
}
