using KubeMesh.Client;
using Xunit;

namespace KubeMesh.Testing;

/// <summary>
/// A store in its own process and one api-server over it, shared by the tests of a class or collection
/// (IClassFixture&lt;ApiServerFixture&gt;): redis-server by default, the embedded store through a subclass. Tests
/// sharing it keep apart by working in namespaces of their own.
/// </summary>
public class ApiServerFixture : IAsyncLifetime
{
    private readonly IReadOnlyDictionary<string, string?>? _settings;
    private ApiServerHost? _api;

    public ApiServerFixture()
        : this(new RedisServer())
    {
    }

    /// <param name="settings">More api-server configuration; see <see cref="ApiServerHost.StartAsync"/>.</param>
    protected ApiServerFixture(StoreServer store, IReadOnlyDictionary<string, string?>? settings = null)
    {
        Store = store;
        _settings = settings;
    }

    public StoreServer Store { get; }

    public ApiServerHost Api => _api ?? throw new InvalidOperationException("the fixture has not started");

    public KubeMeshClient Client => Api.Client;

    public string Address => Api.Address;

    public async Task InitializeAsync()
    {
        await Store.StartAsync();
        _api = await ApiServerHost.StartAsync(Store.ConnectionString, _settings);
    }

    /// <summary>A second api-server over the same store and keys (unless settings name another Store:KeyPrefix), e.g. with a small watch history.</summary>
    public Task<ApiServerHost> StartApiServerAsync(IReadOnlyDictionary<string, string?> settings) =>
        ApiServerHost.StartAsync(Store.ConnectionString, new Dictionary<string, string?>(settings)
        {
            ["Store:KeyPrefix"] = settings.GetValueOrDefault("Store:KeyPrefix") ?? Api.KeyPrefix,
        });

    public async Task DisposeAsync()
    {
        try
        {
            if (_api is not null)
            {
                await _api.DisposeAsync();
            }
        }
        finally
        {
            await Store.DisposeAsync();
        }
    }
}
