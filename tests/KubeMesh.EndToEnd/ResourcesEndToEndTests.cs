using System.Text.RegularExpressions;
using KubeMesh.Api.Core.V1;

namespace KubeMesh.EndToEnd;

/// <summary>Manifest 07: requests count in scheduling, limits are enforced by the kubelet, memory over the limit is OOMKilled.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ResourcesEndToEndTests(ClusterFixture cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task ResourcesPod_Applied_RunsWithinItsLimitsAndDescribeShowsThem()
    {
        var ns = await NewNamespaceAsync();
        await KmctlAsync("apply", "-f", Kmctl.Manifest("seed/07-pod-resources.yaml"), "-n", ns);

        var pod = await WaitForPodAsync(ns, "resource-demo", p => p.Status?.ContainerStatuses.FirstOrDefault()?.Ready == true);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        Assert.Contains("Welcome to nginx!", await EventuallyAsync(() => http.GetStringAsync($"http://{pod.Status.PodIp}:80/")));
        var described = await KmctlAsync("describe", "pod", "resource-demo", "-n", ns);
        Assert.Matches(@"Limits:\s+cpu:\s+500m\s+memory:\s+128Mi\s+Requests:\s+cpu:\s+250m\s+memory:\s+64Mi", described);
        Assert.Equal(0, (await cluster.Client.For<Pod>().GetAsync(ns, "resource-demo")).Status.ContainerStatuses[0].RestartCount);
    }

    [Fact]
    public async Task ResourcesPod_RequestsMoreMemoryThanAnyNode_StaysPendingWithInsufficientMemory()
    {
        var ns = await NewNamespaceAsync();
        await ApplyVariantAsync(ns, Manifest07().Replace("memory: \"64Mi\"", "memory: \"64Ti\"", StringComparison.Ordinal).Replace("memory: \"128Mi\"", "memory: \"64Ti\"", StringComparison.Ordinal));

        var described = await EventuallyAsync(async () =>
        {
            var text = await KmctlAsync("describe", "pod", "resource-demo", "-n", ns);
            return text.Contains("Insufficient memory", StringComparison.Ordinal) ? text : throw new InvalidOperationException(text);
        });
        Assert.Matches(@"0/(\d) nodes are available: \1 Insufficient memory", described);
        Assert.Equal("", (await cluster.Client.For<Pod>().GetAsync(ns, "resource-demo")).Spec.NodeName);
    }

    [Fact]
    public async Task ResourcesPod_WorkloadOverMemoryLimit_OomKilledAndRestartedAsGetAndDescribeShow()
    {
        var ns = await NewNamespaceAsync();
        // Manifest 07 with a workload that goes past its 128Mi limit: tail holds 300 MiB of a line that never ends.
        await ApplyVariantAsync(ns, Manifest07()
            .Replace("image: nginx", "image: busybox\n    command: [\"sh\", \"-c\", \"head -c 300M /dev/zero | tail\"]", StringComparison.Ordinal));

        var row = await EventuallyAsync(async () =>
        {
            var table = await KmctlAsync("get", "pod", "resource-demo", "-n", ns);
            var columns = Regex.Split(table.Split('\n')[1].Trim(), @"\s{2,}");
            return columns[2] is "OOMKilled" or "CrashLoopBackOff" && int.Parse(columns[3].Split(' ')[0]) >= 1
                ? columns : throw new InvalidOperationException(table);
        });
        Assert.Equal("0/1", row[1]);

        var described = await KmctlAsync("describe", "pod", "resource-demo", "-n", ns);
        Assert.Matches(@"Last State:\s+Terminated\s+Reason:\s+OOMKilled\s+Exit Code:\s+137", described);
        Assert.Matches(@"Restart Count:\s+[1-9]", described);
    }

    private static string Manifest07() => File.ReadAllText(Kmctl.Manifest("seed/07-pod-resources.yaml"));

    private async Task ApplyVariantAsync(string ns, string yaml)
    {
        var file = Path.Combine(Path.GetTempPath(), $"kubemesh-e2e-{ns}.yaml");
        await File.WriteAllTextAsync(file, yaml);
        try
        {
            await KmctlAsync("apply", "-f", file, "-n", ns);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private async Task<string> NewNamespaceAsync()
    {
        var ns = "resources-" + Guid.NewGuid().ToString("N")[..8];
        await KmctlAsync("create", "namespace", ns);
        return ns;
    }

    private async Task<string> KmctlAsync(params string[] args)
    {
        var (code, output, error) = await Kmctl.RunAsync(cluster.Kubeconfig, args);
        Assert.True(code == 0, $"kmctl {string.Join(' ', args)}: {error}");
        return output;
    }

    private async Task<Pod> WaitForPodAsync(string ns, string name, Func<Pod, bool> condition)
    {
        var pods = cluster.Client.For<Pod>();
        return await EventuallyAsync(async () =>
        {
            var pod = await pods.GetAsync(ns, name);
            return condition(pod) ? pod : throw new InvalidOperationException($"pod {ns}/{name}: {pod.Status}");
        });
    }

    /// <summary>Retries <paramref name="attempt"/> until it returns, every half second for <see cref="Timeout"/>, then lets its error through.</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> attempt)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        for (; ; await Task.Delay(500, CancellationToken.None))
        {
            try
            {
                return await attempt();
            }
            catch (Exception) when (!deadline.IsCancellationRequested)
            {
            }
        }
    }
}
