namespace KubeMesh.EndToEnd;

/// <summary>
/// Manifests 12-15 on the cluster the AppHost starts: ConfigMap and Secret data in env, envFrom and volume files.
/// The manifests without pods go through kmctl and through the real kubectl alike.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ConfigAndSecretEndToEndTests(ClusterFixture cluster) : IAsyncLifetime
{
    private readonly TestNamespace _ns = new(cluster, "e2e-config");
    private readonly Kubectl _kubectl = new(cluster.Kubeconfig);

    public Task InitializeAsync() => _ns.InitializeAsync();

    public async Task DisposeAsync()
    {
        _kubectl.Dispose();
        await _ns.DisposeAsync();
    }

    [Theory]
    [InlineData("kmctl")]
    [InlineData("kubectl")]
    public async Task ConfigMapManifest_Applied_StoresItsKeys(string client)
    {
        await ApplyAsync(client, "seed/12-configmap.yaml");

        var table = await RunAsync(client, "get", "configmap", "my-configmap");
        Assert.Matches(@"(?m)^my-configmap\s+2\s", table);
        var yaml = await RunAsync(client, "get", "configmap", "my-configmap", "-o", "yaml");
        Assert.Contains("key1: value1", yaml);
        Assert.Contains("key2: value2", yaml);
    }

    [Fact]
    public async Task ConfigMapPod_FromLiterals_EnvOneKeyEnvFromAllKeysAndKeysAsFiles()
    {
        await _ns.KmctlAsync("create", "configmap", "ex-config", "--from-literal=ex.ample=bar", "--from-literal=foo2=bar2");
        await _ns.ApplyAsync("seed/13-pod-configmap-usage.yaml");

        // echo $foo_env (configMapKeyRef ex.ample) $foo2 (envFrom), then cat /config/ex.ample (the volume).
        var lines = await _ns.WaitForLogLinesAsync("configmap-demo", "ex-env", "bar bar2", "bar");
        Assert.Equal("bar", lines[^1]);
    }

    [Fact]
    public async Task SecretPod_Applied_DecodedValuesInEnvAndFiles()
    {
        await _ns.ApplyAsync("seed/14-secret.yaml");
        await _ns.ApplyAsync("seed/15-pod-secret-usage.yaml");

        // echo $SECRET_USER (secretKeyRef username), then cat /secret/password (the volume).
        await _ns.WaitForLogLinesAsync("secret-demo", "ex-env", "admin", "password");

        // The kubelet keeps the secret's files in memory: their directory on the node is a tmpfs mount.
        var pod = await _ns.WaitForPodAsync("secret-demo", p => p.Status?.Phase == "Running");
        var volume = Path.Combine(cluster.DataDirectory, "nodes", pod.Spec.NodeName, "pods", pod.Metadata.Uid, "volumes", "kubernetes.io~secret", "ex-volume");
        var mount = File.ReadLines("/proc/self/mounts").Select(l => l.Split(' ')).SingleOrDefault(f => f[1] == volume);
        Assert.True(mount is [_, _, "tmpfs", ..], $"{volume} is not a tmpfs mount");
    }

    [Theory]
    [InlineData("kmctl")]
    [InlineData("kubectl")]
    public async Task SecretManifest_GetAsYaml_ShowsBase64Only(string client)
    {
        await ApplyAsync(client, "seed/14-secret.yaml");

        var yaml = await RunAsync(client, "get", "secret", "mysecret", "-o", "yaml");
        Assert.Contains("username: YWRtaW4=", yaml);
        Assert.Contains("password: cGFzc3dvcmQ=", yaml);
        Assert.DoesNotContain("admin", yaml);
        Assert.DoesNotContain("password: password", yaml);
        Assert.Contains("type: Opaque", yaml);
    }

    private Task ApplyAsync(string client, string manifest) =>
        client == "kubectl" ? RunAsync(client, "apply", "-f", Kmctl.Manifest(manifest)) : _ns.ApplyAsync(manifest);

    private Task<string> RunAsync(string client, params string[] args) =>
        client == "kubectl" ? _kubectl.OkAsync(["-n", _ns.Name, .. args]) : _ns.KmctlAsync(args);
}
