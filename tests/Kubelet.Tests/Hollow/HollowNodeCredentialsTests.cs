using System.Globalization;
using KubeMesh.Api.Coordination.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Security;
using KubeMesh.Client;
using KubeMesh.Kubelet.Extensions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Kubelet.Tests.Hollow;

/// <summary>
/// Hollow nodes with Kubelet:Hollow:KubeconfigDirectory call an api-server that authorizes with Node,RBAC each as
/// itself: a node may create only its own Node and Lease, so both registering proves each used its own certificate.
/// </summary>
public sealed class HollowNodeCredentialsTests : IAsyncLifetime
{
    private readonly RedisServer _store = new();
    private readonly TestPki _pki = new();
    private readonly string _state = Directory.CreateTempSubdirectory("kubelet-hollow-tls-").FullName;
    private ApiServerHost? _api;

    public async Task InitializeAsync()
    {
        await _store.StartAsync();
        _api = await ApiServerHost.StartAsync(
            _store.ConnectionString,
            new Dictionary<string, string?>(_pki.ApiServerSettings) { ["Authorization:Mode"] = "Node,RBAC" },
            _pki.ConnectionAs("", "kubernetes-admin", "system:masters"));
    }

    public async Task DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await _store.DisposeAsync();
        _pki.Dispose();
        Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public async Task HollowNodes_WithTheirOwnKubeconfigs_RegisterAndHoldTheirLeases_UnderNodeAuthorization()
    {
        var prefix = $"hollow-c{Random.Shared.Next(1000, 10000)}-";
        string[] names = [prefix + "1", prefix + "2"];
        var kubeconfigs = Path.Combine(_state, "kubeconfigs");
        Directory.CreateDirectory(kubeconfigs);
        foreach (var name in names)
        {
            var credentials = _pki.Pki.Ensure("hollow/" + name, CertificateProfile.Client("system:node:" + name, "system:nodes"));
            await File.WriteAllTextAsync(Path.Combine(kubeconfigs, name + ".conf"), $$"""
                apiVersion: v1
                kind: Config
                clusters:
                - name: c
                  cluster: {server: "{{_api!.Address}}", certificate-authority: "{{credentials.CaFile}}"}
                users:
                - name: u
                  user: {client-certificate: "{{credentials.CertFile}}", client-key: "{{credentials.KeyFile}}"}
                contexts:
                - name: c
                  context: {cluster: c, user: u}
                current-context: c
                """);
        }

        await using var hollow = StartHollowNodes(prefix, names.Length, kubeconfigs);
        await hollow.StartAsync();

        var client = _api!.Client;
        await Eventually.Until(
            async () => (await client.For<Node>().ListAsync(new ListRequest())).Items
                .Count(n => names.Contains(n.Metadata.Name) && n.Status?.Conditions.Any(c => c is { Type: "Ready", Status: "True" }) == true) == names.Length,
            TimeSpan.FromSeconds(60), "both hollow nodes registered and Ready");
        foreach (var name in names)
        {
            var lease = await Eventually.Returns(() => client.For<Lease>().GetAsync("kube-node-lease", name), TimeSpan.FromSeconds(30));
            Assert.Equal(name, lease.Spec.HolderIdentity);
        }
    }

    private WebApplication StartHollowNodes(string prefix, int count, string kubeconfigs)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = Path.GetTempPath() });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // The process itself has no credentials: every call is made by a node with its own.
            [KubeMeshClient.AddressConfigurationKey] = _api!.Address,
            ["Kubelet:StateDirectory"] = _state,
            ["Kubelet:NodeLeaseRenewInterval"] = "00:00:01",
            ["Kubelet:Hollow:Nodes"] = count.ToString(CultureInfo.InvariantCulture),
            ["Kubelet:Hollow:NamePrefix"] = prefix,
            ["Kubelet:Hollow:PodNetwork"] = $"127.{Random.Shared.Next(130, 250)}.0.0/16",
            ["Kubelet:Hollow:KubeconfigDirectory"] = kubeconfigs,
        });
        builder.Logging.ClearProviders();
        builder.Services.AddKubeMeshClient(builder.Configuration);
        builder.AddKubelet();
        var app = builder.Build();
        app.MapKubelet();
        return app;
    }
}
