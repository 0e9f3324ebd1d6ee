using System.Net;
using Grpc.Net.Client;
using KubeMesh.Api.ApiServer.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.ApiServer.Extensions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace KubeMesh.ApiServer.Tests.Infrastructure;

/// <summary>
/// The api-server hosted in the test process exactly as Program.cs wires it (AddApiServer + MapApiServer),
/// on a free loopback port with cleartext HTTP/2, called through real gRPC clients.
/// </summary>
public sealed class ApiServerHost : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly WebApplication _app;
    private readonly string _contentRoot;

    private ApiServerHost(WebApplication app, string contentRoot, int port)
    {
        _app = app;
        _contentRoot = contentRoot;
        Address = $"http://127.0.0.1:{port}";
        Channel = GrpcChannel.ForAddress(Address);
        Pods = new PodService.PodServiceClient(Channel);
        ConfigMaps = new ConfigMapService.ConfigMapServiceClient(Channel);
        Namespaces = new NamespaceService.NamespaceServiceClient(Channel);
        Manifests = new ManifestService.ManifestServiceClient(Channel);
    }

    public string Address { get; }

    public GrpcChannel Channel { get; }

    public PodService.PodServiceClient Pods { get; }

    public ConfigMapService.ConfigMapServiceClient ConfigMaps { get; }

    public NamespaceService.NamespaceServiceClient Namespaces { get; }

    public ManifestService.ManifestServiceClient Manifests { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="settings">Extra configuration, e.g. Store:HistoryLimit or Store:KeyPrefix.</param>
    public static async Task<ApiServerHost> StartAsync(string storeConnection, IReadOnlyDictionary<string, string?>? settings = null)
    {
        // An empty content root: the api-server's appsettings.json (copied beside the tests) binds fixed ports.
        var contentRoot = Directory.CreateTempSubdirectory("kubemesh-apiserver-").FullName;
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = contentRoot, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:store"] = storeConnection,
            ["Store:PollInterval"] = "00:00:01",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        builder.AddApiServer();
        var app = builder.Build();
        app.MapApiServer();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await app.StartAsync(timeout.Token);
        return new ApiServerHost(app, contentRoot, port);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        Directory.Delete(_contentRoot, recursive: true);
    }
}
