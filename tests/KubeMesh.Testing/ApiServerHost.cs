using System.Net;
using KubeMesh.ApiServer.Extensions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Testing;

/// <summary>
/// The real api-server hosted in the test process as its Program.cs wires it (AddApiServer + MapApiServer), on a
/// free 127.0.0.1 port with cleartext HTTP/2 only, over the given store. Each host gets its own key prefix, so
/// several can share one redis-server without seeing each other's objects.
/// </summary>
public sealed class ApiServerHost(string storeConnection, IReadOnlyDictionary<string, string?>? settings = null) : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private WebApplication? _app;
    private string? _contentRoot;

    /// <summary>"http://127.0.0.1:PORT" once started: what KubeMeshClient.Create and KUBEMESH_SERVER take.</summary>
    public string Address { get; private set; } = "";

    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("the api-server has not started");

    public async Task<string> StartAsync(CancellationToken cancellationToken = default)
    {
        if (_app is not null)
        {
            throw new InvalidOperationException("the api-server is already started");
        }

        // An empty content root: the api-server's appsettings.json (copied beside the tests) binds fixed ports.
        _contentRoot = Directory.CreateTempSubdirectory("kubemesh-apiserver-").FullName;
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = _contentRoot, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:store"] = storeConnection,
            ["Store:KeyPrefix"] = $"/test-{Guid.NewGuid():N}",
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
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        await app.StartAsync(timeout.Token);
        _app = app;
        Address = $"http://127.0.0.1:{port}";
        return Address;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _app.StopAsync(timeout.Token);
            await _app.DisposeAsync();
            _app = null;
        }

        if (_contentRoot is not null)
        {
            Directory.Delete(_contentRoot, recursive: true);
            _contentRoot = null;
        }
    }
}
