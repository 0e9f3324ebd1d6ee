namespace KubeMesh.ApiServer.Tests.Infrastructure;

/// <summary>One store process and one api-server over it, shared by the tests of a class; each test works in its own namespace.</summary>
public abstract class ApiServerFixture(StoreServer store) : IAsyncLifetime
{
    private ApiServerHost? _api;

    public StoreServer Store => store;

    public ApiServerHost Api => _api ?? throw new InvalidOperationException("the fixture has not started");

    public async Task InitializeAsync()
    {
        await store.StartAsync();
        _api = await ApiServerHost.StartAsync(store.ConnectionString);
    }

    /// <summary>A second api-server over the same store, e.g. with its own key prefix and a small watch history.</summary>
    public Task<ApiServerHost> StartApiServerAsync(IReadOnlyDictionary<string, string?> settings) =>
        ApiServerHost.StartAsync(store.ConnectionString, settings);

    public async Task DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await store.DisposeAsync();
    }
}
