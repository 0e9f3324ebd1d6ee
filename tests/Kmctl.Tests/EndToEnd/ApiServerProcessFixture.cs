using System.Net;

namespace KubeMesh.Kmctl.Tests.EndToEnd;

/// <summary>A real redis-server and the real api-server as its own process on free loopback ports, as a user runs them.</summary>
public sealed class ApiServerProcessFixture : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private ChildProcess? _apiServer;

    public string Address { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();
        var grpcPort = FreePort.Get();
        var httpPort = FreePort.Get();
        _apiServer = ChildProcess.Start("dotnet", Repository.BuildOutput("ApiServer", "ApiServer.dll"),
            $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{grpcPort}",
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{httpPort}",
            $"--Kestrel:Endpoints:Rest:Url=http://127.0.0.1:{FreePort.Get()}",
            $"--Store:ConnectionString={_redis.ConnectionString}");
        await FreePort.WaitUntilListeningAsync(IPAddress.Loopback, grpcPort, TimeSpan.FromSeconds(60));
        Address = $"http://127.0.0.1:{grpcPort}";
    }

    public async Task DisposeAsync()
    {
        _apiServer?.Dispose();
        await _redis.DisposeAsync();
    }
}
