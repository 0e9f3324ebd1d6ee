using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Bench.IngressLoadTest;

/// <summary>In-process stand-ins for hashicorp/http-echo pods: each answers a fixed text on its own 127.0.0.x address.</summary>
internal sealed class EchoServers : IAsyncDisposable
{
    private readonly List<WebApplication> _apps = [];

    public List<(string Ip, int Port)> Endpoints { get; } = [];

    public static async Task<EchoServers> StartAsync(int count)
    {
        var servers = new EchoServers();
        var body = Encoding.ASCII.GetBytes("bench\n");
        for (var i = 0; i < count; i++)
        {
            var ip = $"127.0.1.{10 + i}";
            var address = IPAddress.Parse(ip);
            var port = Processes.FreePort(address);
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = Path.GetTempPath() });
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k =>
            {
                k.AddServerHeader = false;
                k.Listen(address, port);
            });
            var app = builder.Build();
            app.Run(context =>
            {
                context.Response.ContentType = "text/plain";
                context.Response.ContentLength = body.Length;
                return context.Response.Body.WriteAsync(body).AsTask();
            });
            await app.StartAsync();
            servers._apps.Add(app);
            servers.Endpoints.Add((ip, port));
        }

        return servers;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }
    }
}
