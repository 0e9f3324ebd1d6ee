using KubeMesh.Api.Core.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.CertificateController.Extensions;
using KubeMesh.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace KubeMesh.CertificateController.Tests.Infrastructure;

/// <summary>
/// The certificate controller wired as its Program.cs wires it (AddCertificateController), in this process against
/// the fixture's api-server, with a namespace of its own for the test and its own cluster resource namespace.
/// </summary>
public sealed class ControllerHost : IAsyncDisposable
{
    private readonly IHost _host;

    private ControllerHost(IHost host, KubeMeshClient client, string ns, string clusterResourceNamespace)
    {
        _host = host;
        Client = client;
        Namespace = ns;
        ClusterResourceNamespace = clusterResourceNamespace;
    }

    public KubeMeshClient Client { get; }

    public string Namespace { get; }

    public string ClusterResourceNamespace { get; }

    /// <param name="restartOf">A host that was stopped: the new one takes over its namespaces, as a restarted process would.</param>
    public static async Task<ControllerHost> StartAsync(ApiServerFixture api, IDictionary<string, string?>? settings = null, ControllerHost? restartOf = null)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var ns = restartOf?.Namespace ?? "t-" + id;
        var clusterResources = restartOf?.ClusterResourceNamespace ?? "cm-" + id;
        if (restartOf is null)
        {
            await api.Client.For<Namespace>().CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = ns } });
        }
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [KubeMeshClient.AddressConfigurationKey] = api.Address,
            ["CertificateController:ClusterResourceNamespace"] = clusterResources,
            // Failed issuances retry after seconds here, not cert-manager's hour.
            ["CertificateController:IssuanceBackoffInitial"] = "00:00:02",
            ["CertificateController:AcmePollInterval"] = "00:00:00.500",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        TestLogging.Configure(builder.Logging);
        builder.AddCertificateController();
        var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StartAsync(timeout.Token);
        return new ControllerHost(host, api.Client, ns, clusterResources);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _host.StopAsync(timeout.Token);
        _host.Dispose();
    }
}
