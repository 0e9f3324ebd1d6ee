using KubeMesh.ApiServer.Extensions;
using KubeMesh.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace KubeMesh.ControllerManager.Tests;

/// <summary>A real api-server hosted in this process over a real redis-server; one per test class.</summary>
public sealed class ApiServerFixture : IAsyncLifetime
{
    private RedisServer? _redis;
    private WebApplication? _app;

    public KubeMeshClient Client { get; private set; } = null!;

    public string Address { get; private set; } = "";

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        _redis = await RedisServer.StartAsync(timeout.Token);
        var port = RedisServer.FreePort();
        var builder = WebApplication.CreateBuilder();

        // The output folder holds the components' appsettings.json with their fixed ports: use none of it.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:store"] = _redis.ConnectionString,
            ["Store:KeyPrefix"] = "/registry",
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        builder.AddApiServer();
        _app = builder.Build();
        _app.MapApiServer();
        await _app.StartAsync(timeout.Token);
        Address = $"http://127.0.0.1:{port}";
        Client = KubeMeshClient.Create(Address);
        await Eventually.Until(async () =>
        {
            try
            {
                await Client.For<KubeMesh.Api.Core.V1.Namespace>().GetAsync("", "default");
                return true;
            }
            catch (Grpc.Core.RpcException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(20), "the default namespace exists");
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            await _app.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}
