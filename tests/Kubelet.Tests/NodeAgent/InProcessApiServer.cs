using System.Diagnostics;
using System.Net;
using KubeMesh.ApiServer.Extensions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace KubeMesh.Kubelet.Tests.NodeAgent;

/// <summary>A real redis-server on a free port and the api-server hosted in this process over it (HTTP/2 only).</summary>
public sealed class InProcessApiServer : IAsyncDisposable
{
    private Process? _redis;
    private WebApplication? _app;

    public string Address { get; private set; } = "";

    public async Task StartAsync()
    {
        var redisPort = TestNetwork.FreePort();
        var start = new ProcessStartInfo("/usr/bin/redis-server") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var arg in new[] { "--port", redisPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            start.ArgumentList.Add(arg);
        }

        _redis = Process.Start(start)!;
        _redis.OutputDataReceived += (_, _) => { };
        _redis.BeginOutputReadLine();
        await TestNetwork.WaitForPortAsync(IPAddress.Loopback, redisPort, TimeSpan.FromSeconds(20));

        var port = TestNetwork.FreePort();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = Path.GetTempPath() });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:store"] = $"127.0.0.1:{redisPort}",
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{port}",
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
        });
        builder.Logging.ClearProviders();
        builder.AddApiServer();
        _app = builder.Build();
        _app.MapApiServer();
        await _app.StartAsync();
        Address = $"http://127.0.0.1:{port}";
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _app.StopAsync(timeout.Token);
            await _app.DisposeAsync();
        }

        if (_redis is { HasExited: false })
        {
            _redis.Kill(entireProcessTree: true);
            await _redis.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        }

        _redis?.Dispose();
    }
}
