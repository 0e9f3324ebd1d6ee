using KubeMesh.Client;

namespace KubeMesh.CertificateController.Tests.Infrastructure;

/// <summary>A real redis-server and the real api-server in this process, shared by the tests of a class.</summary>
public sealed class ApiServerFixture : IAsyncLifetime
{
    private readonly RedisServerFixture _redis = new();
    private ApiServerHost? _api;

    public string Address => _api?.Address ?? "";

    public KubeMeshClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _api = new ApiServerHost(_redis.ConnectionString);
        await _api.StartAsync();
        Client = KubeMeshClient.Create(_api.Address);
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await _redis.DisposeAsync();
    }
}
