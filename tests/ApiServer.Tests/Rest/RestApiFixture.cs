using KubeMesh.ApiServer.Tests.Infrastructure;

namespace KubeMesh.ApiServer.Tests.Rest;

/// <summary>
/// A redis-server and the api-server over it with its REST endpoint on a free port (Kestrel:Endpoints:Rest, as the
/// AppHost configures it), and a short watch history so that an expired watch can be provoked.
/// </summary>
public sealed class RestApiFixture : IAsyncLifetime
{
    public const int HistoryLimit = 50;
    private readonly RedisServer _store = new();
    private ApiServerHost? _api;

    public Uri Rest { get; } = new($"http://127.0.0.1:{FreePort.Get()}");

    public ApiServerHost Api => _api ?? throw new InvalidOperationException("the fixture has not started");

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _store.StartAsync();
        _api = await ApiServerHost.StartAsync(_store.ConnectionString, new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Rest:Url"] = Rest.ToString().TrimEnd('/'),
            ["Kestrel:Endpoints:Rest:Protocols"] = "Http1AndHttp2",
            ["Store:HistoryLimit"] = HistoryLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Http = new HttpClient { BaseAddress = Rest, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await _store.DisposeAsync();
    }
}
