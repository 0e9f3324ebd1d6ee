using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Client.Tests.Fakes;

/// <summary>Kestrel on a free 127.0.0.1 port, HTTP/2 only (cleartext gRPC), serving the fake pod and event services.</summary>
public sealed class FakeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeApiServer(WebApplication app, string address, FakePodStore pods, FakeEventStore events)
    {
        _app = app;
        Address = address;
        Pods = pods;
        Events = events;
    }

    public FakePodStore Pods { get; }

    public FakeEventStore Events { get; }

    public string Address { get; }

    public static async Task<FakeApiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        // Only what is set here: the output folder holds the api-server's appsettings.json with its fixed ports.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var pods = new FakePodStore();
        var events = new FakeEventStore();
        builder.Services.AddSingleton(pods);
        builder.Services.AddSingleton(events);
        var app = builder.Build();
        app.MapGrpcService<FakePodService>();
        app.MapGrpcService<FakeEventService>();
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new FakeApiServer(app, address, pods, events);
    }

    public async ValueTask DisposeAsync()
    {
        Pods.EndWatches();
        await _app.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        await _app.DisposeAsync();
    }
}
