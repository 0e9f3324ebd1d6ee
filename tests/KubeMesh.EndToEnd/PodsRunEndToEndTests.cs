using KubeMesh.Api.Core.V1;

namespace KubeMesh.EndToEnd;

/// <summary>Manifests 01-04 on the cluster the AppHost starts: scheduled, run by a kubelet, reachable, logged.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PodsRunEndToEndTests(ClusterFixture cluster)
{
    [Fact]
    public async Task NginxPod_Applied_RunsOnANodeAndServesTheWelcomePage()
    {
        await ApplyAsync("seed/01-pod-nginx.yaml");

        var pod = await WaitForPodAsync("nginx", p => p.Status?.Phase == "Running" && p.Status.PodIp.Length > 0);
        Assert.StartsWith("node-", pod.Spec.NodeName);
        Assert.StartsWith($"127.{cluster.PodOctet}.", pod.Status.PodIp);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var page = await Eventually.Returns(() => http.GetStringAsync($"http://{pod.Status.PodIp}:80/"), ClusterFixture.WaitTimeout);
        Assert.Contains("Welcome to nginx!", page);
    }

    [Fact]
    public async Task CommandArgsPod_Applied_LogsHelloAndSucceedsWithoutRestart()
    {
        await ApplyAsync("seed/03-pod-command-args.yaml");

        var pod = await WaitForPodAsync("echo-once", p => p.Status?.Phase == "Succeeded");
        Assert.Equal(0, pod.Status.ContainerStatuses.Single().RestartCount);
        var (code, output, error) = await Kmctl.RunAsync(cluster.Kubeconfig, "logs", "echo-once");
        Assert.True(code == 0, error);
        Assert.Equal("hello", output.Trim());
    }

    [Fact]
    public async Task EnvPod_Applied_LogsTheVariable()
    {
        await ApplyAsync("seed/04-pod-env.yaml");

        await WaitForPodAsync("env-demo", p => p.Status?.Phase == "Running");
        var output = await Eventually.Returns(async () =>
        {
            var (_, logs, _) = await Kmctl.RunAsync(cluster.Kubeconfig, "logs", "env-demo");
            return logs.Contains("ENV_VAR1=value1", StringComparison.Ordinal) ? logs : throw new InvalidOperationException("not logged yet: " + logs);
        }, ClusterFixture.WaitTimeout);
        Assert.Contains("ENV_VAR1=value1", output);
    }

    [Fact]
    public async Task NodeSelectorPod_NoNodeMatches_PendingUntilANodeIsLabelled()
    {
        await ApplyAsync("seed/02-pod-node-selector.yaml");

        var events = await Eventually.Returns(async () =>
        {
            var (_, described, _) = await Kmctl.RunAsync(cluster.Kubeconfig, "describe", "pod", "nginx-selected");
            // Until all three nodes have registered the message counts fewer nodes; the scheduler retries as they join.
            return described.Contains("0/3 nodes are available", StringComparison.Ordinal) ? described : throw new InvalidOperationException(described);
        }, ClusterFixture.WaitTimeout);
        Assert.Contains("0/3 nodes are available: 3 node(s) didn't match Pod's node selector.", events);

        var (code, _, error) = await Kmctl.RunAsync(cluster.Kubeconfig, "label", "node", "node-2", "foo=bar");
        Assert.True(code == 0, error);
        var pod = await WaitForPodAsync("nginx-selected", p => p.Spec.NodeName.Length > 0);
        Assert.Equal("node-2", pod.Spec.NodeName);
    }

    private async Task ApplyAsync(string manifest)
    {
        var (code, _, error) = await Kmctl.RunAsync(cluster.Kubeconfig, "apply", "-f", Kmctl.Manifest(manifest));
        Assert.True(code == 0, error);
    }

    private Task<Pod> WaitForPodAsync(string name, Func<Pod, bool> condition) =>
        Eventually.Returns(async () =>
        {
            var pod = await cluster.Client.For<Pod>().GetAsync("default", name);
            return condition(pod) ? pod : throw new InvalidOperationException($"pod {name}: {pod.Status}");
        }, ClusterFixture.WaitTimeout);
}
