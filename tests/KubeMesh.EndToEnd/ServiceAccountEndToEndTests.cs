namespace KubeMesh.EndToEnd;

/// <summary>A pod on the cluster the AppHost starts reads its service-account token, the cluster CA and its namespace.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ServiceAccountEndToEndTests(ClusterFixture cluster) : IAsyncLifetime
{
    private const string Dir = "/var/run/secrets/kubernetes.io/serviceaccount";
    private readonly TestNamespace _ns = new(cluster, "e2e-sa");
    private readonly string _manifest = Path.Combine(Path.GetTempPath(), $"sa-reader-{Guid.NewGuid():N}.yaml");

    public Task InitializeAsync() => _ns.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _ns.DisposeAsync();
        File.Delete(_manifest);
    }

    [Fact]
    public async Task Pod_DefaultServiceAccount_ReadsTokenCaAndNamespaceFiles()
    {
        await File.WriteAllTextAsync(_manifest, $$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: sa-reader
            spec:
              containers:
              - name: reader
                image: busybox
                command: ["sh", "-c", "cat {{Dir}}/namespace; echo; head -c 3 {{Dir}}/token; echo; head -n 1 {{Dir}}/ca.crt; sleep 3600"]
            """);
        await _ns.ApplyAsync(_manifest);

        await _ns.WaitForLogLinesAsync("sa-reader", "reader", _ns.Name, "eyJ", "-----BEGIN CERTIFICATE-----");
        var pod = await _ns.WaitForPodAsync("sa-reader", p => p.Status?.Phase == "Running");
        Assert.Equal("default", pod.Spec.ServiceAccountName);
    }
}
