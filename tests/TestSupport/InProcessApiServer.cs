using System.Net;
using KubeMesh.ApiServer.Extensions;
using KubeMesh.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Testing;

/// <summary>
/// The api-server wired exactly as its Program.cs does (AddApiServer + MapApiServer), in the test
/// process on a free loopback port, over a real redis-server; restartable over the same store.
/// </summary>
public sealed class InProcessApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _contentRoot;

    private InProcessApiServer(WebApplication app, string contentRoot, string address)
    {
        _app = app;
        _contentRoot = contentRoot;
        Address = address;
        Client = KubeMeshClient.Create(address);
    }

    public string Address { get; }

    public KubeMeshClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<InProcessApiServer> StartAsync(string storeConnection, IReadOnlyDictionary<string, string?>? settings = null)
    {
        // An empty content root: the api-server's appsettings.json would bind its fixed ports.
        var contentRoot = Directory.CreateTempSubdirectory("kubemesh-apiserver-").FullName;
        var port = TestPorts.Next();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = contentRoot, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:store"] = storeConnection });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        builder.AddApiServer();
        var app = builder.Build();
        app.MapApiServer();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(timeout.Token);
        return new InProcessApiServer(app, contentRoot, $"http://127.0.0.1:{port}");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        Directory.Delete(_contentRoot, recursive: true);
    }
}
