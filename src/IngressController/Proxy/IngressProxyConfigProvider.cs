using KubeMesh.IngressController.Configuration;
using KubeMesh.IngressController.Routing;
using Yarp.ReverseProxy.Configuration;

namespace KubeMesh.IngressController.Proxy;

/// <summary>
/// Hands YARP the merged ingress configuration and swaps it live: YARP re-reads on the change token and
/// requests in flight finish on the routes they started with.
/// </summary>
internal sealed class IngressProxyConfigProvider : IProxyConfigProvider
{
    private volatile IngressProxyConfig _current = new(IngressConfiguration.Empty) { IsPlaceholder = true };
    private volatile IngressProxyConfig? _previous;

    public IngressConfiguration Current => _current.Configuration;

    public IProxyConfig GetConfig() => _current;

    public void Update(IngressConfiguration configuration)
    {
        var replaced = _current;
        _previous = replaced;
        _current = new IngressProxyConfig(configuration);
        replaced.SignalReplaced();
    }

    /// <summary>
    /// The policy a route's endpoint carries. YARP builds endpoints after reading a generation, possibly once a
    /// newer one is in; policies are keyed by content, so either generation's entry is the right one.
    /// </summary>
    public IngressRoutePolicy? FindPolicy(RouteConfig route)
    {
        if (route.Metadata?.TryGetValue(IngressRoutes.PolicyMetadataKey, out var fingerprint) != true)
        {
            return null;
        }

        return _current.Configuration.Policies.GetValueOrDefault(fingerprint!)
            ?? _previous?.Configuration.Policies.GetValueOrDefault(fingerprint!);
    }
}
