namespace KubeMesh.EndToEnd;

/// <summary>
/// A pod on the cluster the AppHost starts reads its service-account token, the cluster CA and its namespace, and
/// calls the API as in-cluster clients do: https://kubernetes.default.svc and KUBERNETES_SERVICE_HOST, through
/// default/kubernetes, verifying the api-server's certificate with the CA it was given.
/// </summary>
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

    [SkippableFact]
    public async Task Pod_CallsTheApiThroughTheKubernetesService_AsItsServiceAccountWithItsRights()
    {
        Skip.IfNot(File.Exists("/usr/bin/curl"), "curl is not installed (tests/run installs it)");
        await File.WriteAllTextAsync(_manifest, $$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: in-cluster
            spec:
              containers:
              - name: client
                image: busybox
                env:
                - name: NS
                  valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
                command:
                - sh
                - -c
                - |
                  get() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert {{{Dir}}}/ca.crt -H "Authorization: Bearer $(cat {{{Dir}}}/token)" "$1/api/v1/namespaces/$NS/pods"; }
                  while true; do echo "dns=$(get https://kubernetes.default.svc) ip=$(get https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT)"; sleep 1; done
            """);
        await _ns.ApplyAsync(_manifest);

        // The default account has no rights: the api-server knows it and refuses.
        await LastLineAsync("dns=403 ip=403");
        var binding = Path.Combine(Path.GetTempPath(), $"sa-view-{Guid.NewGuid():N}.yaml");
        try
        {
            await File.WriteAllTextAsync(binding, """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata:
                  name: default-view
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
                subjects:
                - {kind: ServiceAccount, name: default}
                """);
            await _ns.ApplyAsync(binding);
            await LastLineAsync("dns=200 ip=200");
        }
        finally
        {
            File.Delete(binding);
        }
    }

    private Task LastLineAsync(string expected) =>
        Eventually.Returns(async () =>
        {
            var logs = await _ns.KmctlAsync("logs", "in-cluster", "-c", "client");
            var last = logs.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
            return last == expected ? last : throw new InvalidOperationException($"the pod's last call was not \"{expected}\" (yet): {logs}");
        }, ClusterFixture.WaitTimeout);
}
