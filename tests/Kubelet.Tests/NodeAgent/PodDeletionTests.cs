using KubeMesh.Api.Meta.V1;

namespace KubeMesh.Kubelet.Tests.NodeAgent;

[Collection(NodeAgentCollection.Name)]
public sealed class PodDeletionTests(NodeAgentFixture cluster)
{
    [SkippableFact]
    public async Task Delete_RunningPod_StopsItsProcessFreesItsDirectoryAndRemovesTheObject()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("01-pod-nginx.yaml", ns, cluster.Kubelet.NodeName);
        var running = await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Running", "Running");
        var slot = cluster.Kubelet.Pods.Find(ns, "nginx")!.FindContainer("nginx")!;
        var pid = slot.Handle!.Pid;
        var podDirectory = Path.Combine(cluster.Kubelet.StateDirectory, "pods", running.Metadata.Uid);
        Assert.True(Directory.Exists(podDirectory));
        Assert.True(ProcessExists(pid));

        var marked = await cluster.Pods.DeleteAsync(new DeleteRequest { Namespace = ns, Name = "nginx", GracePeriodSeconds = 5 });
        Assert.NotNull(marked.Metadata.DeletionTimestamp);

        await cluster.WaitUntilGoneAsync(pod, TimeSpan.FromSeconds(20));
        Assert.False(ProcessExists(pid), $"container process {pid} still runs");
        Assert.False(Directory.Exists(podDirectory), "the pod directory is left behind");
        Assert.Contains(await cluster.EventsAsync(pod), e => e.Reason == "Killing" && e.Message == "Stopping container nginx");
        await Assert.ThrowsAsync<HttpRequestException>(() => new HttpClient { Timeout = TimeSpan.FromSeconds(2) }.GetStringAsync($"http://{running.Status.PodIp}:80/"));
    }

    [SkippableFact]
    public async Task Delete_FinishedPod_FreesItsDirectory()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pod = await cluster.CreatePodAsync("03-pod-command-args.yaml", ns, cluster.Kubelet.NodeName);
        var done = await cluster.WaitForPodAsync(pod, p => p.Status.Phase == "Succeeded", "Succeeded");
        var podDirectory = Path.Combine(cluster.Kubelet.StateDirectory, "pods", done.Metadata.Uid);

        await cluster.Pods.DeleteAsync(ns, done.Metadata.Name);

        await cluster.WaitUntilGoneAsync(pod, TimeSpan.FromSeconds(5));
        await Eventually.Until(() => !Directory.Exists(podDirectory), TimeSpan.FromSeconds(10), "the kubelet removes the pod directory");
    }

    private static bool ProcessExists(int pid) => Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
}
