using KubeMesh.Api.Core.V1;

namespace KubeMesh.EndToEnd;

/// <summary>
/// A namespace of one test's own on the shared cluster, so manifests that name their objects alike (pods called
/// `nginx`) never meet another test's; kmctl runs with `-n` it, and disposing deletes what the test made in it.
/// </summary>
internal sealed class TestNamespace(ClusterFixture cluster, string prefix) : IAsyncLifetime
{
    public string Name { get; } = prefix + "-" + Guid.NewGuid().ToString("N")[..6];

    public async Task InitializeAsync() => await KmctlAsync("create", "namespace", Name);

    public async Task DisposeAsync()
    {
        // No namespace controller deletes a namespace's contents, so delete them first, without waiting on grace periods.
        await Kmctl.RunAsync(cluster.ApiServer, "-n", Name, "delete", "pods", "--all", "--now", "--wait=false");
        await Kmctl.RunAsync(cluster.ApiServer, "-n", Name, "delete", "configmaps", "--all", "--wait=false");
        await Kmctl.RunAsync(cluster.ApiServer, "-n", Name, "delete", "secrets", "--all", "--wait=false");
        await Kmctl.RunAsync(cluster.ApiServer, "delete", "namespace", Name, "--wait=false");
    }

    /// <summary>Runs kmctl in this namespace and returns its output; a failing command fails the test with its error.</summary>
    public async Task<string> KmctlAsync(params string[] args)
    {
        var (code, output, error) = await Kmctl.RunAsync(cluster.ApiServer, ["-n", Name, .. args]);
        Assert.True(code == 0, $"kmctl {string.Join(' ', args)} exited {code}: {error}");
        return output;
    }

    public Task<string> ApplyAsync(string manifest) => KmctlAsync("apply", "-f", Kmctl.Manifest(manifest));

    public Task<Pod> WaitForPodAsync(string name, Func<Pod, bool> condition) =>
        Eventually.ReturnsAsync(async () =>
        {
            var pod = await cluster.Client.For<Pod>().GetAsync(Name, name);
            return condition(pod) ? pod : throw new InvalidOperationException($"pod {name}: {pod.Status}");
        });

    /// <summary>Waits until `kmctl logs` of the container are exactly these lines (the last one may lack its newline).</summary>
    public Task<string[]> WaitForLogLinesAsync(string pod, string container, params string[] expected) =>
        Eventually.ReturnsAsync(async () =>
        {
            var logs = await KmctlAsync("logs", pod, "-c", container);
            var lines = logs.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return lines.SequenceEqual(expected)
                ? lines
                : throw new InvalidOperationException($"logs of {pod}/{container} are not [{string.Join(" | ", expected)}] (yet): {logs}");
        });

    /// <summary>The cells of the pod's row in `kmctl get pod NAME` (NAME, READY, STATUS, RESTARTS, AGE).</summary>
    public async Task<string[]> PodRowAsync(string name)
    {
        var table = await KmctlAsync("get", "pod", name);
        var row = table.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}
