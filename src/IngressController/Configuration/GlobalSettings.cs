using KubeMesh.Api.Core.V1;

namespace KubeMesh.IngressController.Configuration;

/// <summary>The controller-wide defaults from its ConfigMap (ingress-nginx/nginx-configuration).</summary>
internal sealed record GlobalSettings(string LoadBalancingPolicy, bool SslRedirect)
{
    public static GlobalSettings Defaults { get; } = From(null);

    public static GlobalSettings From(ConfigMap? configMap)
    {
        var data = configMap?.Data;
        var policy = LoadBalancing.TryGetPolicy(data?.GetValueOrDefault("load-balance"), out var p)
            ? p
            : Yarp.ReverseProxy.LoadBalancing.LoadBalancingPolicies.RoundRobin;
        var sslRedirect = !bool.TryParse(data?.GetValueOrDefault("ssl-redirect"), out var redirect) || redirect;
        return new GlobalSettings(policy, sslRedirect);
    }
}
