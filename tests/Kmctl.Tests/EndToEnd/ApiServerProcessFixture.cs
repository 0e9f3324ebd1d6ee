using System.Diagnostics;
using System.Net.Sockets;

namespace KubeMesh.Kmctl.Tests.EndToEnd;

/// <summary>A real redis-server and the real api-server on free loopback ports, stopped when the tests finish.</summary>
public sealed class ApiServerFixture : IAsyncLifetime
{
    private Process? _redis;
    private Process? _apiServer;

    public string Address { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var redisPort = KmctlProcess.FreePort();
        _redis = Start("redis-server", "--port", redisPort.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no");
        await WaitForPortAsync(redisPort);

        var grpcPort = KmctlProcess.FreePort();
        var httpPort = KmctlProcess.FreePort();
        _apiServer = Start("dotnet", KmctlProcess.BuildOutput("ApiServer", "ApiServer.dll"),
            $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{grpcPort}",
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{httpPort}",
            $"--Store:ConnectionString=127.0.0.1:{redisPort}");
        await WaitForPortAsync(grpcPort);
        Address = $"http://127.0.0.1:{grpcPort}";
    }

    public Task DisposeAsync()
    {
        foreach (var process in new[] { _apiServer, _redis })
        {
            if (process is { HasExited: false })
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }

            process?.Dispose();
        }

        return Task.CompletedTask;
    }

    private static Process Start(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForPortAsync(int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
