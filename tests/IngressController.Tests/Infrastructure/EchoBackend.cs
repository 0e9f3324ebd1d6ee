using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KubeMesh.IngressController.Tests.Infrastructure;

/// <summary>
/// A pod stand-in like hashicorp/http-echo: answers with its name, then the path it received and the forwarded
/// headers, one per line, after an optional delay (a slow pod).
/// </summary>
public sealed class EchoBackend : IAsyncDisposable
{
    private static int _nextAddress = 10;
    private readonly WebApplication _app;

    private EchoBackend(WebApplication app, string name, string ip, int port)
    {
        _app = app;
        Name = name;
        Ip = ip;
        Port = port;
    }

    public string Name { get; }

    public string Ip { get; }

    public int Port { get; }

    private int _requests;

    public int Requests => Volatile.Read(ref _requests);

    public static async Task<EchoBackend> StartAsync(string name, TimeSpan delay = default)
    {
        var ip = "127.0.0." + (Interlocked.Increment(ref _nextAddress) % 200 + 20);
        var address = IPAddress.Parse(ip);
        var port = FreePort.Get(address);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = Path.GetTempPath() });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(address, port));
        var app = builder.Build();
        var backend = new EchoBackend(app, name, ip, port);
        app.Run(async context =>
        {
            Interlocked.Increment(ref backend._requests);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay);
            }

            var request = context.Request;
            var text = new StringBuilder()
                .Append(name).Append('\n')
                .Append("path=").Append(request.Path).Append(request.QueryString).Append('\n')
                .Append("host=").Append(request.Host).Append('\n');
            foreach (var header in new[] { "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port", "X-Real-IP" })
            {
                text.Append(header.ToLowerInvariant()).Append('=').Append(request.Headers[header].ToString()).Append('\n');
            }

            await context.Response.WriteAsync(text.ToString());
        });
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
