using KubeMesh.Api.Core.V1;

namespace KubeMesh.EndToEnd;

/// <summary>Manifests 05, 06 and 08-11 on the cluster the AppHost starts: volumes, sidecars, probes, init containers, the downward API.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PodSpecEndToEndTests(ClusterFixture cluster) : IAsyncLifetime
{
    private readonly TestNamespace _ns = new(cluster, "e2e-podspec");

    public Task InitializeAsync() => _ns.InitializeAsync();

    public Task DisposeAsync() => _ns.DisposeAsync();

    [Fact]
    public async Task HostPathPod_FileWrittenInTheHostFolder_ServedByNginx()
    {
        // The manifest names a fixed host folder that other clusters on this machine may use too, so this test
        // writes a file of its own there and removes only that file.
        const string folder = "/tmp/kubemesh-hostpath-demo";
        var file = Path.Combine(folder, $"e2e-{_ns.Name}.html");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(file, "written on the host by " + _ns.Name);
        try
        {
            await _ns.ApplyAsync("seed/05-pod-hostpath.yaml");

            var pod = await _ns.WaitForPodAsync("hostpath-demo", p => p.Status?.Phase == "Running" && p.Status.PodIp.Length > 0);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var page = await Eventually.Returns(() => http.GetStringAsync($"http://{pod.Status.PodIp}/{Path.GetFileName(file)}"), ClusterFixture.WaitTimeout);
            Assert.Equal("written on the host by " + _ns.Name, page);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task EmptyDirSidecarPod_WriterKeepsRewriting_NginxServesTheChangingPage()
    {
        await _ns.ApplyAsync("seed/06-pod-emptydir-sidecar.yaml");

        var pod = await _ns.WaitForPodAsync("sidecar-demo", p => p.Status?.ContainerStatuses.Count == 2 && p.Status.ContainerStatuses.All(c => c.Ready));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var url = $"http://{pod.Status.PodIp}/";
        var first = await Eventually.Returns(async () =>
        {
            var page = await http.GetStringAsync(url);
            return page.Contains("UTC", StringComparison.Ordinal) || page.Any(char.IsDigit) ? page : throw new InvalidOperationException("not a date: " + page);
        }, ClusterFixture.WaitTimeout);
        var later = await Eventually.Returns(async () =>
        {
            var page = await http.GetStringAsync(url);
            return page != first ? page : throw new InvalidOperationException("page not rewritten yet: " + page);
        }, ClusterFixture.WaitTimeout);
        Assert.NotEqual(first, later);
        Assert.DoesNotContain("Welcome to nginx", later);
    }

    [Fact]
    public async Task ProbesPod_ReadyFileCreated_ReadyGoesFromZeroToOne()
    {
        await _ns.ApplyAsync("seed/08-pod-probes.yaml");

        var pod = await _ns.WaitForPodAsync("probe-demo", p => p.Status?.Phase == "Running" && p.Status.PodIp.Length > 0);
        // Running, alive (liveness GET / succeeds) and not ready: cat /tmp/ready fails until the file exists.
        var row = await Eventually.Returns(async () =>
        {
            var cells = await _ns.PodRowAsync("probe-demo");
            return cells[2] == "Running" ? cells : throw new InvalidOperationException(string.Join(' ', cells));
        }, ClusterFixture.WaitTimeout);
        Assert.Equal("0/1", row[1]);
        await _ns.WaitForPodAsync("probe-demo", p => p.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "False"));

        // As the notes' reader would: kmctl exec, through the api-server to the node's kubelet, into the container.
        var (failed, _, error) = await Kmctl.RunAsync(cluster.Kubeconfig, "-n", _ns.Name, "exec", "probe-demo", "--", "cat", "/tmp/ready");
        Assert.Equal(1, failed);
        Assert.Contains("/tmp/ready", error);
        Assert.EndsWith("command terminated with exit code 1\n", error);
        await _ns.KmctlAsync("exec", "probe-demo", "--", "touch", "/tmp/ready");
        Assert.Equal("/tmp/ready\n", await _ns.KmctlAsync("exec", "probe-demo", "-c", "nginx", "--", "ls", "/tmp/ready"));

        var ready = await Eventually.Returns(async () =>
        {
            var cells = await _ns.PodRowAsync("probe-demo");
            return cells[1] == "1/1" ? cells : throw new InvalidOperationException(string.Join(' ', cells));
        }, ClusterFixture.WaitTimeout);
        Assert.Equal(["1/1", "Running", "0"], ready[1..4]);
    }

    [Fact]
    public async Task LivenessFailingPod_ProbeGets404_RestartsClimbAndEventsSayWhy()
    {
        await _ns.ApplyAsync("seed/09-pod-liveness-fails.yaml");

        var row = await Eventually.Returns(async () =>
        {
            var cells = await _ns.PodRowAsync("liveness-fails");
            return int.Parse(cells[3], System.Globalization.CultureInfo.InvariantCulture) >= 2 ? cells : throw new InvalidOperationException(string.Join(' ', cells));
        }, ClusterFixture.WaitTimeout);
        Assert.Equal("liveness-fails", row[0]);

        var described = await _ns.KmctlAsync("describe", "pod", "liveness-fails");
        Assert.Contains("Unhealthy", described);
        Assert.Contains("Liveness probe failed: HTTP probe failed with statuscode: 404", described);
        Assert.Contains("Killing", described);
        Assert.Contains("Container nginx failed liveness probe, will be restarted", described);
    }

    [Fact]
    public async Task InitContainerPod_InitSucceeds_MainStartsAfterItAndServesInitialized()
    {
        await _ns.ApplyAsync("seed/10-pod-init-container.yaml");

        var pod = await _ns.WaitForPodAsync("init-demo", p => p.Status?.Phase == "Running" && p.Status.ContainerStatuses.Any(c => c.State?.Running is not null));
        var init = pod.Status.InitContainerStatuses.Single().State.Terminated;
        Assert.Equal((0, "Completed"), (init.ExitCode, init.Reason));
        var main = pod.Status.ContainerStatuses.Single().State.Running;
        Assert.True(main.StartedAt.ToDateTimeOffset() >= init.FinishedAt.ToDateTimeOffset(), $"main started {main.StartedAt} before init finished {init.FinishedAt}");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var page = await Eventually.Returns(() => http.GetStringAsync($"http://{pod.Status.PodIp}/"), ClusterFixture.WaitTimeout);
        Assert.Equal("initialized", page.Trim());
    }

    [Fact]
    public async Task DownwardApiPod_Running_LogsItsNodeNameNamespaceIpAndLabels()
    {
        await _ns.ApplyAsync("seed/11-pod-downward-api.yaml");

        var pod = await _ns.WaitForPodAsync("downward-demo", p => p.Status?.Phase == "Running" && p.Status.PodIp.Length > 0);
        var expected = $"{pod.Spec.NodeName} downward-demo {_ns.Name} {pod.Status.PodIp}";
        // The labels file, like Kubernetes', is key="value" lines without a newline after the last one.
        var lines = await _ns.WaitForLogLinesAsync("downward-demo", "foo", expected, "app=\"downward-demo\"", "tier=\"study\"");
        Assert.Equal(3, lines.Length);
    }
}
