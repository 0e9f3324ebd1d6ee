using KubeMesh.Api.Core.V1;

namespace KubeMesh.IngressController.Configuration;

/// <summary>The controller-wide defaults from its ConfigMap (ingress-nginx/nginx-configuration).</summary>
internal sealed record GlobalSettings(string LoadBalancingPolicy, bool SslRedirect, TimeSpan ProxyReadTimeout)
{
    /// <summary>ingress-nginx's proxy-read-timeout default.</summary>
    public static readonly TimeSpan DefaultProxyReadTimeout = TimeSpan.FromSeconds(60);

    public static GlobalSettings Defaults { get; } = From(null);

    public static GlobalSettings From(ConfigMap? configMap)
    {
        var data = configMap?.Data;
        var policy = LoadBalancing.TryGetPolicy(data?.GetValueOrDefault("load-balance"), out var p)
            ? p
            : Yarp.ReverseProxy.LoadBalancing.LoadBalancingPolicies.RoundRobin;
        var sslRedirect = !bool.TryParse(data?.GetValueOrDefault("ssl-redirect"), out var redirect) || redirect;
        // Whole seconds, as ingress-nginx reads it; a value that is not a positive number keeps the default.
        var readTimeout = int.TryParse(data?.GetValueOrDefault("proxy-read-timeout"), out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : DefaultProxyReadTimeout;
        return new GlobalSettings(policy, sslRedirect, readTimeout);
    }
}
