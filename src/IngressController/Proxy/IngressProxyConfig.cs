using KubeMesh.IngressController.Configuration;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;

namespace KubeMesh.IngressController.Proxy;

/// <summary>One generation of the proxy configuration; its change token fires when the next one replaces it.</summary>
internal sealed class IngressProxyConfig : IProxyConfig
{
    private readonly CancellationTokenSource _replaced = new();

    public IngressProxyConfig(IngressConfiguration configuration)
    {
        Configuration = configuration;
        ChangeToken = new CancellationChangeToken(_replaced.Token);
    }

    public IngressConfiguration Configuration { get; }

    /// <summary>The empty configuration served before the caches have synced; never applied to a listening server.</summary>
    public bool IsPlaceholder { get; init; }

    public IReadOnlyList<RouteConfig> Routes => Configuration.Routes;

    public IReadOnlyList<ClusterConfig> Clusters => Configuration.Clusters;

    public IChangeToken ChangeToken { get; }

    public string RevisionId { get; } = Guid.NewGuid().ToString("N");

    internal void SignalReplaced() => _replaced.Cancel();
}
