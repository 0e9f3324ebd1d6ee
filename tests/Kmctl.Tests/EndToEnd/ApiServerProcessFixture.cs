namespace KubeMesh.Kmctl.Tests.EndToEnd;

/// <summary>A real redis-server and the real api-server as its own process on free loopback ports, as a user runs them.</summary>
public sealed class ApiServerProcessFixture : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private ApiServerProcess? _apiServer;

    public string Address => _apiServer?.Address ?? "";

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();
        _apiServer = new ApiServerProcess(_redis.ConnectionString);
        await _apiServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        _apiServer?.Dispose();
        await _redis.DisposeAsync();
    }
}
