using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KubeMesh.IngressController.Tests.Infrastructure;

/// <summary>A pod served by Kestrel with the given request handler; counts the requests and the TCP connections they came over.</summary>
public sealed class KestrelBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, bool> _connections = new();
    private int _requests;

    private KestrelBackend(WebApplication app, IPAddress address, int port)
    {
        _app = app;
        Ip = address.ToString();
        Port = port;
    }

    public string Ip { get; }

    public int Port { get; }

    public string Address => $"http://{Ip}:{Port}";

    public int Connections => _connections.Count;

    public int Requests => Volatile.Read(ref _requests);

    /// <param name="address">Where it listens (a pod IP of 127.0.0.0/8); 127.0.0.1 when not given.</param>
    public static async Task<KestrelBackend> StartAsync(RequestDelegate handler, Action<WebApplication>? configure = null, IPAddress? address = null)
    {
        address ??= IPAddress.Loopback;
        var port = FreePort.Get(address);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = Path.GetTempPath() });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(address, port));
        var app = builder.Build();
        var backend = new KestrelBackend(app, address, port);
        app.Use((context, next) =>
        {
            backend._connections.TryAdd(context.Connection.Id, true);
            Interlocked.Increment(ref backend._requests);
            return next(context);
        });
        configure?.Invoke(app);
        app.Run(handler);
        await app.StartAsync();
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
