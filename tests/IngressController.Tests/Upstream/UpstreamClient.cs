using KubeMesh.IngressController.Upstream;

namespace KubeMesh.IngressController.Tests.Upstream;

/// <summary>The controller's upstream invoker alone, as YARP's forwarder holds it, over its own pools.</summary>
internal sealed class UpstreamClient : IDisposable
{
    private readonly UpstreamHttpClientFactory _factory;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(1));

    public UpstreamClient(UpstreamSettings? settings = null)
    {
        Pools = new Http1ConnectionPools(settings ?? new UpstreamSettings(), TimeProvider.System);
        _factory = new UpstreamHttpClientFactory(Pools);
        Invoker = _factory.CreateClient(new Yarp.ReverseProxy.Forwarder.ForwarderHttpClientContext { NewConfig = Yarp.ReverseProxy.Configuration.HttpClientConfig.Empty });
    }

    public Http1ConnectionPools Pools { get; }

    public HttpMessageInvoker Invoker { get; }

    /// <summary>Sends with <paramref name="cancellationToken"/>, else with the client's own one-minute limit (as YARP's activity timeout).</summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken = default) =>
        Invoker.SendAsync(request, cancellationToken.CanBeCanceled ? cancellationToken : _timeout.Token);

    public async Task<(HttpResponseMessage Response, string Body)> GetAsync(string url, HttpMethod? method = null)
    {
        var response = await SendAsync(new HttpRequestMessage(method ?? HttpMethod.Get, url));
        return (response, await response.Content.ReadAsStringAsync());
    }

    public void Dispose()
    {
        _factory.Dispose();
        _timeout.Dispose();
        Pools.Dispose();
    }
}
