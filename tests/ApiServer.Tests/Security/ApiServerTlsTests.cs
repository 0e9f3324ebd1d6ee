using Grpc.Core;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Security;
using KubeMesh.Client;
using KubeMesh.Client.Credentials;

namespace KubeMesh.ApiServer.Tests.Security;

/// <summary>The api-server's gRPC port over TLS with the cluster CA: who gets through the handshake and who does not.</summary>
public sealed class ApiServerTlsTests : IAsyncLifetime
{
    private readonly RedisServer _store = new();
    private readonly TestPki _pki = new();
    private ApiServerHost? _api;

    private ApiServerHost Api => _api!;

    public async Task InitializeAsync()
    {
        await _store.StartAsync();
        _api = await ApiServerHost.StartAsync(_store.ConnectionString, _pki.ApiServerSettings, _pki.ConnectionAs("", "kubernetes-admin", "system:masters"));
    }

    [Fact]
    public async Task List_WithClusterCaAndClientCertificate_Succeeds()
    {
        var namespaces = await Api.Client.For<Api.Core.V1.Namespace>().ListAsync(new ListRequest());

        Assert.Contains(namespaces.Items, n => n.Metadata.Name == "default");
    }

    [Fact]
    public async Task List_WithCaButNoClientCertificate_IsStillServed()
    {
        using var client = KubeMeshClient.Create(new ApiServerConnection(Api.Address) { CertificateAuthority = _pki.Pki.Trust.Roots });

        var namespaces = await client.For<Api.Core.V1.Namespace>().ListAsync(new ListRequest());

        Assert.NotEmpty(namespaces.Items);
    }

    [Fact]
    public async Task List_WithoutTheClusterCa_IsRefusedInTheHandshake()
    {
        using var client = KubeMeshClient.Create(new ApiServerConnection(Api.Address));

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.For<Api.Core.V1.Namespace>().ListAsync(new ListRequest()));

        AssertHandshakeRefused(ex);
    }

    [Fact]
    public async Task List_TrustingAnotherCa_IsRefusedInTheHandshake()
    {
        using var other = CertificateAuthority.Create("other", TimeSpan.FromDays(1));
        using var client = KubeMeshClient.Create(new ApiServerConnection(Api.Address) { CertificateAuthority = [other.Certificate] });

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.For<Api.Core.V1.Namespace>().ListAsync(new ListRequest()));

        AssertHandshakeRefused(ex);
    }

    [Fact]
    public async Task List_WithClientCertificateOfAnotherCa_IsRefusedInTheHandshake()
    {
        using var other = CertificateAuthority.Create("other", TimeSpan.FromDays(1));
        using var forged = other.Issue(CertificateProfile.Client("kubernetes-admin", "system:masters"));
        using var client = KubeMeshClient.Create(new ApiServerConnection(Api.Address) { CertificateAuthority = _pki.Pki.Trust.Roots, ClientCertificate = forged });

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.For<Api.Core.V1.Namespace>().ListAsync(new ListRequest()));

        AssertHandshakeRefused(ex);
    }

    [Fact]
    public async Task Kubeconfig_WithEmbeddedCredentials_ConnectsToEveryReplicaListed()
    {
        var admin = _pki.Client("kubernetes-admin", "system:masters");
        var path = Path.Combine(_pki.Pki.Directory, "admin.conf");
        await File.WriteAllTextAsync(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: kubemesh
              cluster:
                server: https://127.0.0.1:1
                certificate-authority-data: {Base64(_pki.Pki.CaFile)}
                extensions:
                - name: kubemesh.io/grpc
                  extension:
                    servers: {Api.Address},{Api.Address}
            users:
            - name: admin
              user:
                client-certificate: {Path.GetFileName(admin.CertFile)}
                client-key-data: {Base64(admin.KeyFile)}
            contexts:
            - name: kubemesh
              context:
                cluster: kubemesh
                user: admin
            current-context: kubemesh
            """);

        var connection = Kubeconfig.Load(path);
        using var client = KubeMeshClient.Create(connection);
        var namespaces = await client.For<Api.Core.V1.Namespace>().ListAsync(new ListRequest());

        Assert.Equal($"{Api.Address},{Api.Address}", connection.Address);
        Assert.Equal("kubernetes-admin", connection.ClientCertificate!.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false));
        Assert.NotEmpty(namespaces.Items);
    }

    [Fact]
    public async Task Kubeconfig_NamingAMissingUser_SaysWhichEntry()
    {
        var path = Path.Combine(_pki.Pki.Directory, "broken.conf");
        await File.WriteAllTextAsync(path, """
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
            contexts: [{name: x, context: {cluster: c, user: nobody}}]
            current-context: x
            """);

        var ex = Assert.Throws<KubeconfigException>(() => Kubeconfig.Load(path));

        Assert.Contains("users: no entry named \"nobody\"", ex.Message, StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await _store.DisposeAsync();
        _pki.Dispose();
    }

    /// <summary>
    /// The call never reached the server: grpc-dotnet reports the failed handshake as the HttpRequestException it got.
    /// When the client refuses the server's certificate the TLS handshake fails; when the server refuses the client's
    /// (TLS 1.3 checks it after the client has finished), the server closes the connection before any HTTP/2 frame.
    /// </summary>
    private static void AssertHandshakeRefused(RpcException ex)
    {
        var text = ex.ToString();
        Assert.True(ex.StatusCode is StatusCode.Unavailable or StatusCode.Internal, text);
        Assert.True(
            text.Contains("SSL connection could not be established", StringComparison.Ordinal)
            || text.Contains("server did not complete the HTTP/2 handshake", StringComparison.Ordinal),
            text);
    }

    private static string Base64(string file) => Convert.ToBase64String(File.ReadAllBytes(file));
}
