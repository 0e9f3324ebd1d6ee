using System.Diagnostics;
using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace KubeMesh.IngressController.Upstream;

/// <summary>
/// Gives YARP's forwarder one invoker for every cluster: the lean HTTP/1.1 path to the pods (see
/// <see cref="Http1Connection"/>), with HttpClient's SocketsHttpHandler, configured as YARP configures it, for the
/// rest. Clusters carry no HttpClient settings of their own here, so one shared invoker serves them all and a
/// configuration swap keeps every warm connection.
/// </summary>
internal sealed class UpstreamHttpClientFactory : IForwarderHttpClientFactory, IDisposable
{
    private readonly HttpMessageInvoker _invoker;

    public UpstreamHttpClientFactory(Http1ConnectionPools pools)
    {
        var fallback = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
            ConnectTimeout = pools.Settings.ConnectTimeout,
            PooledConnectionIdleTimeout = pools.Settings.KeepAliveTimeout,
        });
        _invoker = new HttpMessageInvoker(new UpstreamHandler(pools, fallback));
    }

    public HttpMessageInvoker CreateClient(ForwarderHttpClientContext context) => _invoker;

    public void Dispose() => _invoker.Dispose();
}
