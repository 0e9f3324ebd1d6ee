using System.Net;
using Grpc.Net.Client;
using KubeMesh.ApiServer.Extensions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Bench.ApiServer;

/// <summary>The api-server wired as Program.cs wires it, on a free loopback port with cleartext HTTP/2.</summary>
public sealed class InProcessApiServer(WebApplication app, string contentRoot, GrpcChannel channel) : IAsyncDisposable
{
    public GrpcChannel Channel => channel;

    /// <summary>The api-server's own parts, so a run can time each layer below gRPC.</summary>
    public IServiceProvider Services => app.Services;

    public static async Task<InProcessApiServer> StartAsync(string storeConnection)
    {
        // An empty content root keeps the api-server's appsettings.json (fixed ports) out.
        var contentRoot = Directory.CreateTempSubdirectory("kubemesh-bench-api-").FullName;
        var port = StoreProcess.FreePort();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = contentRoot, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:store"] = storeConnection });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        builder.AddApiServer();
        var app = builder.Build();
        app.MapApiServer();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(timeout.Token);
        return new InProcessApiServer(app, contentRoot, GrpcChannel.ForAddress($"http://127.0.0.1:{port}"));
    }

    public async ValueTask DisposeAsync()
    {
        channel.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
        Directory.Delete(contentRoot, recursive: true);
    }
}
