using System.Diagnostics;
using System.Net.Sockets;

namespace KubeMesh.IngressController.Tests.Infrastructure;

/// <summary>A throwaway redis-server on a free port, without persistence.</summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;

    private RedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<RedisServer> StartAsync()
    {
        var port = FreePort.Next();
        var process = Process.Start(new ProcessStartInfo("/usr/bin/redis-server")
        {
            ArgumentList = { "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        process.BeginOutputReadLine();
        var server = new RedisServer(process, port);
        await Eventually.GetAsync(
            async () =>
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return true;
            },
            ok => ok,
            "redis-server accepts connections").ConfigureAwait(false);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(cts.Token);
        }

        _process.Dispose();
    }
}
