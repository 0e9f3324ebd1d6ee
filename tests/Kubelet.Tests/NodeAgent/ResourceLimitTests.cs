using KubeMesh.Api.Core.V1;

namespace KubeMesh.Kubelet.Tests.NodeAgent;

[Collection(NodeAgentCollection.Name)]
public sealed class ResourceLimitTests(NodeAgentFixture cluster)
{
    /// <summary>Manifest 07's pod, with a workload that goes past its 128Mi limit.</summary>
    private const string OverLimit = """
        apiVersion: v1
        kind: Pod
        metadata: {name: resource-hog}
        spec:
          containers:
          - name: hog
            image: busybox
            command: ["sh", "-c", "echo allocating; COMMAND"]
            resources:
              requests: {memory: "64Mi", cpu: "250m"}
              limits: {memory: "128Mi", cpu: "500m"}
        """;

    [SkippableFact]
    public async Task MemoryOverLimit_Cgroups_OomKilledAndRestartedWithLastStateShown()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync(OverLimit.Replace("COMMAND", "head -c 300M /dev/zero | tail", StringComparison.Ordinal), ns, cluster.Kubelet.NodeName);

        var restarted = await WaitForOomRestartAsync(pod);

        Assert.DoesNotContain(await cluster.EventsAsync(pod), e => e.Reason == "CPULimitNotEnforced");
        Assert.StartsWith("allocating\n", await cluster.LogsAsync(restarted, previous: true), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task MemoryOverLimit_NoCgroups_WatchKillsItAndCpuLimitIsReportedNotEnforced()
    {
        await using var node = InProcessKubelet.Create();
        node.Settings["Kubelet:Cgroups"] = "None";
        await node.StartAsync(cluster.ApiServer.Address);
        try
        {
            var ns = await cluster.NewNamespaceAsync();
            var pod = await cluster.CreatePodAsync(OverLimit.Replace("COMMAND", "head -c 300M /dev/zero | tail | sleep 600", StringComparison.Ordinal), ns, node.NodeName);

            await WaitForOomRestartAsync(pod);

            Assert.Contains(await cluster.EventsAsync(pod), e => e.Type == "Warning" && e.Reason == "CPULimitNotEnforced"
                && e.Message == "CPU limit 500m of container hog is not enforced: no writable cgroup hierarchy on this node (disabled by configuration)");
        }
        finally
        {
            await node.StopAsync();
            Directory.Delete(node.StateDirectory, recursive: true);
        }
    }

    private async Task<Pod> WaitForOomRestartAsync(Pod pod)
    {
        var restarted = await cluster.WaitForPodAsync(pod, p => p.Status.ContainerStatuses.FirstOrDefault() is { RestartCount: >= 1 } s
            && s.LastState?.Terminated is not null, "a restart after the memory limit", TimeSpan.FromSeconds(90));
        var last = restarted.Status.ContainerStatuses[0].LastState.Terminated;
        Assert.Equal(("OOMKilled", 137), (last.Reason, last.ExitCode));
        return restarted;
    }
}
