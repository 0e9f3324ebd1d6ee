using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Testing;

namespace KubeMesh.EndToEnd;

/// <summary>
/// A namespace of one test's own on the shared cluster, so the manifests' common names (nginx) never meet another
/// test's; kmctl runs in it with -n. Disposing deletes what was applied, waits for its pods to go, then the
/// namespace, leaving the cluster as it was.
/// </summary>
internal sealed class TestNamespace : IAsyncDisposable
{
    private readonly ClusterFixture _cluster;
    private readonly List<string> _applied = [];

    private TestNamespace(ClusterFixture cluster, string name)
    {
        _cluster = cluster;
        Name = name;
    }

    public string Name { get; }

    public static async Task<TestNamespace> CreateAsync(ClusterFixture cluster, string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        await cluster.Client.For<Namespace>().CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = name } });
        return new TestNamespace(cluster, name);
    }

    /// <summary>kmctl in this namespace; fails the test when it exits non-zero.</summary>
    public async Task<string> KmctlAsync(params string[] args)
    {
        var (code, output, error) = await Kmctl.RunAsync(_cluster.ApiServer, [.. args, "-n", Name]);
        Assert.True(code == 0, $"kmctl {string.Join(' ', args)} exited {code}: {error}{output}");
        return output;
    }

    public async Task ApplyAsync(string file, params string[] flags)
    {
        await KmctlAsync(["apply", "-f", file, .. flags]);
        _applied.Add(file);
    }

    /// <summary>A seed manifest with some text replaced, written next to the test's output, as a user edits a copy.</summary>
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
        return path;
    }

    public async Task<List<Pod>> LivePodsAsync() =>
        [.. (await _cluster.Client.For<Pod>().ListAsync(new ListRequest { Namespace = Name })).Items
            .Where(p => p.Metadata.DeletionTimestamp is null).OrderBy(p => p.Metadata.Name, StringComparer.Ordinal)];

    public async ValueTask DisposeAsync()
    {
        foreach (var file in Enumerable.Reverse(_applied))
        {
            await Kmctl.RunAsync(_cluster.ApiServer, "delete", "-f", file, "-n", Name, "--ignore-not-found");
        }

        var pods = _cluster.Client.For<Pod>();
        try
        {
            await Eventually.TrueAsync(async () => (await pods.ListAsync(new ListRequest { Namespace = Name })).Items.Count == 0, TimeSpan.FromSeconds(60), "the namespace's pods are gone");
        }
        catch (TimeoutException)
        {
            // Deleting the namespace below still ends what is left; the test's result is not the cleanup's.
        }

        var claims = _cluster.Client.For<PersistentVolumeClaim>();
        foreach (var claim in (await claims.ListAsync(new ListRequest { Namespace = Name })).Items)
        {
            await claims.DeleteAsync(Name, claim.Metadata.Name);
        }

        await _cluster.Client.For<Namespace>().DeleteAsync("", Name);
        foreach (var file in _applied.Where(f => f.StartsWith(Path.GetTempPath(), StringComparison.Ordinal)))
        {
            File.Delete(file);
        }
    }
}
