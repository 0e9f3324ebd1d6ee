using System.Net;
using Grpc.Core;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Security;
using KubeMesh.Client;
using KubeMesh.Client.Credentials;

namespace KubeMesh.EndToEnd;

/// <summary>
/// The cluster as `dotnet run --project AppHost` starts it authenticates every caller: the kubeconfig the AppHost
/// writes is the admin, a caller without credentials is system:anonymous and reaches health and discovery only (as
/// kube-apiserver with --anonymous-auth answers: 403 / PERMISSION_DENIED naming the user), and a client certificate
/// the cluster CA did not sign is refused in the TLS handshake. Each refused write is checked to have changed nothing.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AuthenticationEndToEndTests(ClusterFixture cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private string FirstReplica => $"https://127.0.0.1:{cluster.ApiServerPort}";

    private string Rest => $"https://127.0.0.1:{cluster.ApiServerRestPort}";

    /// <summary>Trusts the cluster CA and presents nothing: what a caller who has only ca.crt is.</summary>
    private ApiServerConnection Anonymous(string address) => new(address) { CertificateAuthority = CertificateTrust.FromPemFile(cluster.CaFile).Roots };

    [Fact]
    public async Task Kubeconfig_Admin_IsKubernetesAdminInSystemMasters()
    {
        var (code, output, error) = await Kmctl.RunAsync(cluster.Kubeconfig, "auth", "whoami");

        Assert.True(code == 0, error);
        Assert.Contains("kubernetes-admin", output, StringComparison.Ordinal);
        Assert.Contains("system:masters", output, StringComparison.Ordinal);
        var (allowed, canI, canIError) = await Kmctl.RunAsync(cluster.Kubeconfig, "auth", "can-i", "delete", "nodes");
        Assert.True(allowed == 0, canIError);
        Assert.Equal("yes", canI.Trim());
    }

    /// <summary>
    /// The kubeconfig names its certificates relative to itself, as clientcmd resolves them: copied elsewhere with the
    /// pki folder (a container's mount of the data directory, a moved repository), it still authenticates.
    /// </summary>
    [Fact]
    public async Task Kubeconfig_CopiedElsewhereWithThePki_StillAuthenticatesKmctlAndKubectl()
    {
        var copy = Directory.CreateTempSubdirectory("kubemesh-moved-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(copy, "pki"));
            foreach (var file in new[] { "ca.crt", "admin.crt", "admin.key" })
            {
                File.Copy(Path.Combine(cluster.DataDirectory, "pki", file), Path.Combine(copy, "pki", file));
            }

            var kubeconfig = Path.Combine(copy, "kubeconfig");
            File.Copy(cluster.Kubeconfig, kubeconfig);
            Assert.DoesNotContain(cluster.DataDirectory, await File.ReadAllTextAsync(kubeconfig), StringComparison.Ordinal);

            var (code, output, error) = await Kmctl.RunAsync(kubeconfig, "auth", "whoami");
            Assert.True(code == 0, error);
            Assert.Contains("kubernetes-admin", output, StringComparison.Ordinal);
            using var kubectl = new KubeMesh.Testing.Kubectl(kubeconfig);
            Assert.Contains("namespace/kube-system", await kubectl.OkAsync("get", "namespaces", "-o", "name"), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public async Task Grpc_WithoutCredentials_IsAnonymous_AndRefused()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var anonymous = KubeMeshClient.Create(Anonymous(FirstReplica));
        var name = "anonymous-" + Guid.NewGuid().ToString("N")[..6];

        var list = await Assert.ThrowsAsync<RpcException>(() => anonymous.For<Pod>().ListAsync(new ListRequest { Namespace = "default" }, cts.Token));
        var create = await Assert.ThrowsAsync<RpcException>(() => anonymous.For<ConfigMap>().CreateAsync(
            new ConfigMap { Metadata = new ObjectMeta { Name = name, Namespace = "default" } }, cts.Token));

        Assert.Equal(StatusCode.PermissionDenied, list.StatusCode);
        Assert.Contains("system:anonymous", list.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, create.StatusCode);
        await AssertNotCreatedAsync(name, cts.Token);
    }

    [Fact]
    public async Task Grpc_ClientCertificateOfAnotherCa_IsRefusedInTheHandshake()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var stranger = CertificateAuthority.Create("not-the-cluster-ca", TimeSpan.FromDays(1));
        using var forged = stranger.Issue(CertificateProfile.Client("kubernetes-admin", "system:masters"));
        using var client = KubeMeshClient.Create(Anonymous(FirstReplica) with { ClientCertificate = forged });
        var name = "forged-" + Guid.NewGuid().ToString("N")[..6];

        var create = await Assert.ThrowsAsync<RpcException>(() => client.For<ConfigMap>().CreateAsync(
            new ConfigMap { Metadata = new ObjectMeta { Name = name, Namespace = "default" } }, cts.Token));

        Assert.Equal(StatusCode.Unavailable, create.StatusCode);
        await AssertNotCreatedAsync(name, cts.Token);
    }

    [Fact]
    public async Task Rest_WithoutCredentials_ReachesHealthAndDiscoveryOnly()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var http = HttpClientFor(Anonymous(Rest));
        var name = "anonymous-rest-" + Guid.NewGuid().ToString("N")[..6];

        using var healthz = await http.GetAsync("/healthz", cts.Token);
        using var version = await http.GetAsync("/version", cts.Token);
        using var pods = await http.GetAsync("/api/v1/namespaces/default/pods", cts.Token);
        using var secrets = await http.GetAsync("/api/v1/namespaces/kube-system/secrets", cts.Token);
        using var create = await http.PostAsync("/api/v1/namespaces/default/configmaps",
            new StringContent($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}"}}""", System.Text.Encoding.UTF8, "application/json"), cts.Token);

        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        Assert.Equal(HttpStatusCode.OK, version.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, pods.StatusCode);
        var status = System.Text.Json.JsonDocument.Parse(await pods.Content.ReadAsStringAsync(cts.Token)).RootElement;
        Assert.Equal("Forbidden", status.GetProperty("reason").GetString());
        Assert.Contains("User \"system:anonymous\" cannot list resource \"pods\"", status.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, secrets.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        await AssertNotCreatedAsync(name, cts.Token);
    }

    [Fact]
    public async Task Rest_WithAForgedBearerToken_IsUnauthorized_AndChangesNothing()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var http = HttpClientFor(Anonymous(Rest));
        var name = "forged-token-" + Guid.NewGuid().ToString("N")[..6];
        // A JWT's shape, signed by no key the cluster knows.
        const string forged = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDpkZWZhdWx0In0.c2lnbmF0dXJl";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/namespaces/default/configmaps")
        {
            Content = new StringContent($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}"}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", forged);

        using var response = await http.SendAsync(request, cts.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertNotCreatedAsync(name, cts.Token);
    }

    [Fact]
    public async Task Rest_WithTheKubeconfigsAdmin_ListsPods()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var http = HttpClientFor(Kubeconfig.Load(cluster.Kubeconfig) with { Address = Rest });

        using var pods = await http.GetAsync("/api/v1/namespaces/default/pods", cts.Token);

        Assert.Equal(HttpStatusCode.OK, pods.StatusCode);
        Assert.Contains("\"kind\":\"PodList\"", await pods.Content.ReadAsStringAsync(cts.Token), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task BufCurl_WithTheCaAndAdminCertificate_Lists_AndWithoutTheCertificateIsForbidden()
    {
        BufCli.Require();
        string[] common = ["curl", "--protocol", "grpc", "--cacert", cluster.CaFile, "--data", """{"namespace":"kube-system"}""",
            $"https://127.0.0.1:{cluster.ApiServerPort}/kubemesh.core.v1.ConfigMapService/List"];

        var (admin, listed) = await BufCli.RunAsync([.. common, "--cert", cluster.AdminCertFile, "--key", cluster.AdminKeyFile], timeout: Timeout);
        var (anonymous, refused) = await BufCli.RunAsync(common, timeout: Timeout);

        Assert.True(admin == 0, listed);
        Assert.Contains("\"resourceVersion\"", listed, StringComparison.Ordinal);
        Assert.NotEqual(0, anonymous);
        Assert.Contains("permission_denied", refused, StringComparison.Ordinal);
    }

    /// <summary>The refused create changed nothing: the admin finds no such ConfigMap.</summary>
    private async Task AssertNotCreatedAsync(string name, CancellationToken cancellationToken)
    {
        var missing = await Assert.ThrowsAsync<RpcException>(() => cluster.Client.For<ConfigMap>().GetAsync("default", name, cancellationToken));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    private static HttpClient HttpClientFor(ApiServerConnection connection)
    {
        var handler = new SocketsHttpHandler();
        ApiServerTls.Configure(handler, connection);
        return new HttpClient(handler) { BaseAddress = new Uri(connection.Address), Timeout = Timeout };
    }
}
