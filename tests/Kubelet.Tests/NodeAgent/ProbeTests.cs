using KubeMesh.Api.Core.V1;

namespace KubeMesh.Kubelet.Tests.NodeAgent;

[Collection(NodeAgentCollection.Name)]
public sealed class ProbeTests(NodeAgentFixture cluster)
{
    private string Node => cluster.Kubelet.NodeName;

    private static bool IsReady(Pod pod) => pod.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "True");

    [SkippableFact]
    public async Task Readiness_ProbesManifest_NotReadyUntilTheFileExists()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("08-pod-probes.yaml", ns, Node);
        var running = await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Running"
            && cluster.EventsAsync(p).Result.Any(e => e.Reason == "Unhealthy" && e.Message.StartsWith("Readiness", StringComparison.Ordinal)),
            "Running with a failed readiness probe");

        Assert.False(IsReady(running));
        Assert.False(running.Status.ContainerStatuses[0].Ready);
        Assert.Contains(running.Status.Conditions, c => c.Type == "ContainersReady" && c.Status == "False");
        Assert.Contains(await cluster.EventsAsync(pod), e => e.Reason == "Unhealthy" && e.Type == "Warning"
            && e.Message.StartsWith("Readiness probe failed: cat: ", StringComparison.Ordinal) && e.Message.Contains("/tmp/ready", StringComparison.Ordinal));

        var touch = await cluster.Kubelet.ExecAsync(running, "nginx", "touch", "/tmp/ready");
        Assert.Equal(0, touch.ExitCode);

        var ready = await cluster.WaitForPodAsync(pod, IsReady, "Ready once /tmp/ready exists", TimeSpan.FromSeconds(30));
        Assert.True(ready.Status.ContainerStatuses[0].Ready);
        Assert.Equal(0, ready.Status.ContainerStatuses[0].RestartCount);
    }

    [SkippableFact]
    public async Task Liveness_FailingHttpProbe_KillsAndRestartsTheContainer()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("09-pod-liveness-fails.yaml", ns, Node);

        var restarted = await cluster.WaitForPodAsync(pod, p => p.Status.ContainerStatuses.FirstOrDefault()?.RestartCount >= 1
            && cluster.EventsAsync(p).Result.Any(e => e.Message == "Liveness probe failed: HTTP probe failed with statuscode: 404"), "a restart after a 404", TimeSpan.FromSeconds(60));

        Assert.NotNull(restarted.Status.ContainerStatuses[0].LastState.Terminated);
        var events = await cluster.EventsAsync(pod);
        Assert.Contains(events, e => e.Reason == "Unhealthy" && e.Type == "Warning" && e.Message == "Liveness probe failed: HTTP probe failed with statuscode: 404");
        Assert.Contains(events, e => e.Reason == "Killing" && e.Message == "Container nginx failed liveness probe, will be restarted");
    }

    [SkippableFact]
    public async Task Startup_TcpProbeOnNamedPort_GatesStartedAndReadiness()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("""
            apiVersion: v1
            kind: Pod
            metadata: {name: slow-start}
            spec:
              containers:
              - name: web
                image: nginx:1.14.2
                ports: [{name: http, containerPort: 80}]
                startupProbe:
                  exec: {command: ["cat", "/tmp/started"]}
                  periodSeconds: 1
                  failureThreshold: 60
                readinessProbe:
                  tcpSocket: {port: http}
                  periodSeconds: 1
            """, ns, Node);
        var running = await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Running", "Running");
        // Two failed startup probes (one a second) prove the kubelet has been probing while nginx already listens, so
        // a readiness probe run in that time would have passed.
        await Eventually.Until(
            async () => (await cluster.EventsAsync(pod)).Any(e => e.Reason == "Unhealthy" && e.Count >= 2 && e.Message.StartsWith("Startup probe failed", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30),
            "the startup probe has failed twice");
        var gated = await cluster.Pods.GetAsync(ns, "slow-start");
        Assert.False(gated.Status.ContainerStatuses[0].Started);
        Assert.False(IsReady(gated));

        Assert.Equal(0, (await cluster.Kubelet.ExecAsync(running, "web", "touch", "/tmp/started")).ExitCode);

        var ready = await cluster.WaitForPodAsync(pod, p => IsReady(p) && p.Status.ContainerStatuses[0].Started, "Started and Ready", TimeSpan.FromSeconds(20));
        Assert.Equal(0, ready.Status.ContainerStatuses[0].RestartCount);
    }
}
