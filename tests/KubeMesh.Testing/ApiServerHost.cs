using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using KubeMesh.Api.ApiServer.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.ApiServer.Extensions;
using KubeMesh.Client;
using KubeMesh.Client.Credentials;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Testing;

/// <summary>
/// The real api-server hosted in the test process as its Program.cs wires it (AddApiServer + MapApiServer), on a free
/// 127.0.0.1 port with cleartext HTTP/2 only, over the given store, and reached through real gRPC clients. It reads
/// no appsettings.json and no environment: only the store and <c>settings</c>. Each host keeps its objects under a
/// key prefix of its own unless settings name one, so several can share one redis-server. Started once the system
/// namespaces exist. Logs go to the console when KUBEMESH_TEST_LOGS is set.
/// </summary>
public sealed class ApiServerHost : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly WebApplication _app;

    private ApiServerHost(WebApplication app, string address, string keyPrefix, ApiServerConnection? tls, string? bearerToken)
    {
        _app = app;
        Address = address;
        KeyPrefix = keyPrefix;
        var connection = (tls ?? new ApiServerConnection(address)) with { Address = address };
        Client = KubeMeshClient.Create(connection);
        if (tls is null)
        {
            Channel = ChannelFor(address, bearerToken);
        }
        else
        {
            var handler = new SocketsHttpHandler();
            ApiServerTls.Configure(handler, connection);
            Channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, Credentials = ApiServerTls.ChannelCredentials(https: true, connection) });
        }

        Pods = new PodService.PodServiceClient(Channel);
        ConfigMaps = new ConfigMapService.ConfigMapServiceClient(Channel);
        Namespaces = new NamespaceService.NamespaceServiceClient(Channel);
        Manifests = new ManifestService.ManifestServiceClient(Channel);
    }

    /// <summary>"http://127.0.0.1:PORT": what KubeMeshClient.Create, kmctl --server and KUBEMESH_SERVER take.</summary>
    public string Address { get; }

    /// <summary>Where this host keeps its objects in the store (Store:KeyPrefix).</summary>
    public string KeyPrefix { get; }

    /// <summary>The typed client every component uses.</summary>
    public KubeMeshClient Client { get; }

    /// <summary>
    /// A plain gRPC channel with grpc-dotnet's defaults (a deadline is an RpcException with DeadlineExceeded), for
    /// tests of the api-server's own gRPC behaviour; the typed service clients below use it.
    /// </summary>
    public GrpcChannel Channel { get; }

    public PodService.PodServiceClient Pods { get; }

    public ConfigMapService.ConfigMapServiceClient ConfigMaps { get; }

    public NamespaceService.NamespaceServiceClient Namespaces { get; }

    public ManifestService.ManifestServiceClient Manifests { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="storeConnection">The store's connection string (<see cref="StoreServer.ConnectionString"/>).</param>
    /// <param name="settings">More configuration, e.g. Store:HistoryLimit, Store:KeyPrefix or ApiServer:ServiceClusterIpRange.</param>
    /// <param name="tls">
    /// When given, the port speaks TLS (settings must hold ApiServer:Tls, see <see cref="TestPki.ApiServerSettings"/>) and
    /// the host's clients connect with this connection's CA and credentials.
    /// </param>
    /// <param name="bearerToken">
    /// Over cleartext: a token of Authentication:TokenAuthFile that <see cref="Channel"/> and the typed clients send
    /// (and the start-up check uses), for an api-server whose Authorization:Mode is not AlwaysAllow.
    /// </param>
    public static async Task<ApiServerHost> StartAsync(
        string storeConnection, IReadOnlyDictionary<string, string?>? settings = null, ApiServerConnection? tls = null, string? bearerToken = null)
    {
        var port = FreePort.Get();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        var keyPrefix = settings?.GetValueOrDefault("Store:KeyPrefix") ?? $"/test-{Guid.NewGuid():N}";
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:store"] = storeConnection,
            ["Store:KeyPrefix"] = keyPrefix,
            // No default/kubernetes and no lease renewals: the store changes only when a test writes.
            ["ApiServer:EndpointReconcilerType"] = "none",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        TestLogging.Configure(builder.Logging);
        builder.AddApiServer();
        // After AddApiServer, so that UseHttps() finds the certificate ApiServer:Tls set as the default.
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o =>
        {
            o.Protocols = HttpProtocols.Http2;
            if (tls is not null)
            {
                o.UseHttps();
            }
        }));
        var app = builder.Build();
        app.MapApiServer();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await app.StartAsync(timeout.Token);
        var host = new ApiServerHost(app, $"{(tls is null ? "http" : "https")}://127.0.0.1:{port}", keyPrefix, tls, bearerToken);
        try
        {
            await Eventually.Until(host.HasDefaultNamespaceAsync, StartTimeout, "the api-server has created the namespace default");

            // As kube-apiserver's readiness waits for its rbac/bootstrap-roles hook: the default roles and bindings are in
            // the authorizer's caches, so a fresh account is allowed what every authenticated user is (whoami, discovery).
            if (settings?.GetValueOrDefault("Authorization:Mode") is { } mode && mode.Contains("RBAC", StringComparison.Ordinal))
            {
                await Eventually.Until(() => Task.FromResult(host.HasBootstrapPolicy()), StartTimeout, "the authorizer has the bootstrap roles and bindings");
            }
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>A cleartext channel to <paramref name="address"/> whose calls carry "authorization: Bearer TOKEN" when a token is given.</summary>
    public static GrpcChannel ChannelFor(string address, string? bearerToken, Metadata? headers = null)
    {
        if (bearerToken is null && headers is null)
        {
            return GrpcChannel.ForAddress(address);
        }

        var credentials = CallCredentials.FromInterceptor((_, metadata) =>
        {
            if (bearerToken is not null)
            {
                metadata.Add("authorization", $"Bearer {bearerToken}");
            }

            foreach (var entry in headers ?? [])
            {
                metadata.Add(entry);
            }

            return Task.CompletedTask;
        });
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, credentials),
            UnsafeUseInsecureChannelCallCredentials = true,
        });
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Channel.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }

    private bool HasBootstrapPolicy()
    {
        var caches = _app.Services.GetRequiredService<KubeMesh.ApiServer.Authorization.AuthorizationCaches>();
        return (KubeMesh.ApiServer.Authorization.BootstrapPolicy.ClusterRoles.All(r => caches.ClusterRoles.Get("", r.Metadata.Name) is not null)
                && KubeMesh.ApiServer.Authorization.BootstrapPolicy.ClusterRoleBindings.All(b => caches.ClusterRoleBindings.Get("", b.Metadata.Name) is not null));
    }

    private async Task<bool> HasDefaultNamespaceAsync()
    {
        try
        {
            await Namespaces.GetAsync(new Api.Meta.V1.GetRequest { Name = "default" }, deadline: DateTime.UtcNow.AddSeconds(5));
            return true;
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            return false;
        }
    }
}
