using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;

namespace KubeMesh.EndToEnd;

/// <summary>
/// A namespace of one test's own on the shared cluster, so manifests that name their objects alike (pods called
/// `nginx`) never meet another test's; kmctl runs in it with `-n`. Disposing deletes what the test applied and
/// made in it, waits for its pods to go, then deletes the namespace, leaving the cluster as it was.
/// </summary>
internal sealed class TestNamespace(ClusterFixture cluster, string prefix) : IAsyncLifetime, IAsyncDisposable
{
    private readonly List<string> _applied = [];
    private readonly List<string> _edited = [];

    public string Name { get; } = prefix + "-" + Guid.NewGuid().ToString("N")[..6];

    public static async Task<TestNamespace> CreateAsync(ClusterFixture cluster, string prefix)
    {
        var ns = new TestNamespace(cluster, prefix);
        await ns.InitializeAsync();
        return ns;
    }

    /// <summary>
    /// Creates the namespace and waits for its default ServiceAccount, as Kubernetes' e2e framework does: pods are
    /// admitted only once the controller-manager has made it.
    /// </summary>
    public async Task InitializeAsync()
    {
        await KmctlAsync("create", "namespace", Name);
        var accounts = cluster.Client.For<ServiceAccount>();
        await Eventually.Until(async () => (await accounts.ListAsync(new ListRequest { Namespace = Name })).Items.Any(a => a.Metadata.Name == "default"),
            TimeSpan.FromSeconds(30), $"the default ServiceAccount of namespace {Name}");
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    public async Task DisposeAsync()
    {
        foreach (var file in Enumerable.Reverse(_applied))
        {
            await Kmctl.RunAsync(cluster.Kubeconfig, "-n", Name, "delete", "-f", file, "--ignore-not-found", "--wait=false");
        }

        await Kmctl.RunAsync(cluster.Kubeconfig, "-n", Name, "delete", "pods", "--all", "--now", "--wait=false");
        await Kmctl.RunAsync(cluster.Kubeconfig, "-n", Name, "delete", "configmaps", "--all", "--wait=false");
        await Kmctl.RunAsync(cluster.Kubeconfig, "-n", Name, "delete", "secrets", "--all", "--wait=false");
        var pods = cluster.Client.For<Pod>();
        try
        {
            await Eventually.Until(async () => (await pods.ListAsync(new ListRequest { Namespace = Name })).Items.Count == 0, TimeSpan.FromSeconds(60), "the namespace's pods are gone");
        }
        catch (TimeoutException)
        {
            // Deleting the namespace below still ends what is left; the test's result is not the cleanup's.
        }

        var claims = cluster.Client.For<PersistentVolumeClaim>();
        foreach (var claim in (await claims.ListAsync(new ListRequest { Namespace = Name })).Items)
        {
            await claims.DeleteAsync(Name, claim.Metadata.Name);
        }

        await Kmctl.RunAsync(cluster.Kubeconfig, "delete", "namespace", Name, "--wait=false");
        // Only the copies this namespace wrote: a checkout under /tmp holds the seed manifests under the temp path too.
        foreach (var file in _edited)
        {
            File.Delete(file);
        }
    }

    /// <summary>Runs kmctl in this namespace and returns its output; a failing command fails the test with its error.</summary>
    public async Task<string> KmctlAsync(params string[] args)
    {
        var (code, output, error) = await Kmctl.RunAsync(cluster.Kubeconfig, ["-n", Name, .. args]);
        Assert.True(code == 0, $"kmctl {string.Join(' ', args)} exited {code}: {error}{output}");
        return output;
    }

    /// <summary>`kmctl apply -f` of a seed manifest ("seed/01-pod-nginx.yaml") or a file's full path, remembered for cleanup.</summary>
    public async Task<string> ApplyAsync(string manifest, params string[] flags)
    {
        var file = Path.IsPathRooted(manifest) ? manifest : Kmctl.Manifest(manifest);
        var output = await KmctlAsync(["apply", "-f", file, .. flags]);
        _applied.Add(file);
        return output;
    }

    /// <summary>
    /// One `kmctl apply --trace -f A -f B ...` of seed manifests, remembered for cleanup; returns the trace id kmctl
    /// printed on stderr.
    /// </summary>
    public async Task<string> ApplyTracedAsync(params string[] manifests)
    {
        var files = manifests.Select(m => Path.IsPathRooted(m) ? m : Kmctl.Manifest(m)).ToList();
        var (code, output, error) = await Kmctl.RunAsync(cluster.Kubeconfig, ["-n", Name, "apply", "--trace", .. files.SelectMany(f => new[] { "-f", f })]);
        Assert.True(code == 0, $"kmctl apply --trace exited {code}: {error}{output}");
        _applied.AddRange(files);
        var line = error.Split('\n').SingleOrDefault(l => l.StartsWith("trace id: ", StringComparison.Ordinal));
        Assert.True(line is not null, "kmctl apply --trace printed no trace id: " + error);
        return line["trace id: ".Length..].Trim();
    }

    /// <summary>A seed manifest with some text replaced, written to a temporary file, as a user edits a copy.</summary>
    public async Task<string> EditedManifestAsync(string seed, params (string Old, string New)[] edits)
    {
        var text = await File.ReadAllTextAsync(Kmctl.Manifest(seed));
        foreach (var (old, replacement) in edits)
        {
            Assert.Contains(old, text);
            text = text.Replace(old, replacement, StringComparison.Ordinal);
        }

        var path = Path.Combine(Path.GetTempPath(), $"{Name}-{Path.GetFileName(seed)}");
        await File.WriteAllTextAsync(path, text);
        _edited.Add(path);
        return path;
    }

    public async Task<List<Pod>> LivePodsAsync() =>
        [.. (await cluster.Client.For<Pod>().ListAsync(new ListRequest { Namespace = Name })).Items
            .Where(p => p.Metadata.DeletionTimestamp is null).OrderBy(p => p.Metadata.Name, StringComparer.Ordinal)];

    public Task<Pod> WaitForPodAsync(string name, Func<Pod, bool> condition) =>
        Eventually.Returns(async () =>
        {
            var pod = await cluster.Client.For<Pod>().GetAsync(Name, name);
            return condition(pod) ? pod : throw new InvalidOperationException($"pod {name}: {pod.Status}");
        }, ClusterFixture.WaitTimeout);

    /// <summary>Waits until `kmctl logs` of the container are exactly these lines (the last one may lack its newline).</summary>
    public Task<string[]> WaitForLogLinesAsync(string pod, string container, params string[] expected) =>
        Eventually.Returns(async () =>
        {
            var logs = await KmctlAsync("logs", pod, "-c", container);
            var lines = logs.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return lines.SequenceEqual(expected)
                ? lines
                : throw new InvalidOperationException($"logs of {pod}/{container} are not [{string.Join(" | ", expected)}] (yet): {logs}");
        }, ClusterFixture.WaitTimeout);

    /// <summary>The cells of the pod's row in `kmctl get pod NAME` (NAME, READY, STATUS, RESTARTS, AGE).</summary>
    public async Task<string[]> PodRowAsync(string name)
    {
        var table = await KmctlAsync("get", "pod", name);
        var row = table.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}
