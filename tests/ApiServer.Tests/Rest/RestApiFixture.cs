using System.Text;
using System.Text.Json.Nodes;
using KubeMesh.ApiServer.Tests.Infrastructure;

namespace KubeMesh.ApiServer.Tests.Rest;

/// <summary>
/// A redis-server and the api-server over it with its REST endpoint on a free port (Kestrel:Endpoints:Rest, as the
/// AppHost configures it), a short watch history so that an expired watch can be provoked, and the real kubectl
/// with a kubeconfig for it.
/// </summary>
public sealed class RestApiFixture : IAsyncLifetime
{
    public const int HistoryLimit = 50;
    private readonly RedisServer _store = new();
    private readonly string _kubeconfig = Path.Combine(Path.GetTempPath(), $"kubeconfig-{Guid.NewGuid():N}");
    private ApiServerHost? _api;
    private Kubectl? _kubectl;

    public Uri Rest { get; } = new($"http://127.0.0.1:{FreePort.Get()}");

    public ApiServerHost Api => _api ?? throw new InvalidOperationException("the fixture has not started");

    public HttpClient Http { get; private set; } = null!;

    /// <summary>kubectl against the REST endpoint, unauthenticated as the fixture serves it.</summary>
    public Kubectl Kubectl => _kubectl ?? throw new InvalidOperationException("the fixture has not started");

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
        await File.WriteAllTextAsync(_kubeconfig, string.Join("\n",
            "apiVersion: v1",
            "kind: Config",
            $"clusters: [{{name: t, cluster: {{server: \"{Rest.ToString().TrimEnd('/')}\"}}}}]",
            "users: [{name: t, user: {}}]",
            "contexts: [{name: t, context: {cluster: t, user: t}}]",
            "current-context: t"));
        _kubectl = new Kubectl(_kubeconfig);
    }

    /// <summary>GETs the path and parses the JSON answer; anything but a success fails the test with what came back.</summary>
    public async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    public Task<HttpResponseMessage> PostAsync(string path, string json) =>
        Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public async Task DisposeAsync()
    {
        _kubectl?.Dispose();
        File.Delete(_kubeconfig);
        Http?.Dispose();
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await _store.DisposeAsync();
    }
}
