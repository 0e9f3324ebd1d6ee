using System.Globalization;
using System.Net;
using KubeMesh.IngressController.Auth;
using KubeMesh.IngressController.Routing;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace KubeMesh.IngressController.Configuration;

/// <summary>
/// The routing part of one build: a YARP route per rule, in the rules' order so the most specific host and then
/// the longest path wins; a cluster per service port and load-balancing policy whose destinations are the ready
/// pod endpoints; and the policy each route's requests are checked against (404, rewrite, auth, ssl-redirect).
/// </summary>
internal sealed record IngressRoutes(
    IReadOnlyList<RouteConfig> Routes,
    IReadOnlyList<ClusterConfig> Clusters,
    IReadOnlyDictionary<string, IngressRoutePolicy> Policies)
{
    public const string PolicyMetadataKey = "kubemesh.io/route-policy";
    public const string NotFoundClusterId = "kubemesh/not-found";

    // nginx's proxy_read_timeout; the pods speak HTTP/1.1 as nginx's upstream keepalive connections do.
    private static readonly ForwarderRequestConfig Forwarding = new()
    {
        ActivityTimeout = TimeSpan.FromSeconds(60),
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        AllowResponseBuffering = false,
    };

    /// <param name="rules">Sorted by <see cref="IngressRule.Compare"/>.</param>
    /// <param name="tlsHosts">The hosts with TLS configured, where ssl-redirect is on unless annotated off.</param>
    public static IngressRoutes Build(IReadOnlyList<IngressRule> rules, BuildContext context, IReadOnlySet<string> tlsHosts, BasicAuthSet auth)
    {
        var routes = new List<RouteConfig>(rules.Count);
        var clusters = new Dictionary<string, ClusterConfig>(StringComparer.Ordinal)
        {
            [NotFoundClusterId] = new ClusterConfig { ClusterId = NotFoundClusterId },
        };
        var policies = new Dictionary<string, IngressRoutePolicy>(StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var clusterId = rule.Backend is null ? NotFoundClusterId : AddCluster(rule, context, clusters);
            var policy = CreatePolicy(rule, context, tlsHosts, auth);
            policies[policy.Fingerprint] = policy;
            routes.Add(new RouteConfig
            {
                RouteId = RouteId(rule),
                ClusterId = clusterId,

                // Unique orders: ties between overlapping candidates would make ASP.NET Core routing ambiguous.
                Order = -1_000_000 + i,
                Match = new RouteMatch
                {
                    Hosts = rule.Host.IsAny ? null : [rule.Host.Host],
                    Path = RouteTemplates.For(rule.Path),
                },
                Metadata = new Dictionary<string, string> { [PolicyMetadataKey] = policy.Fingerprint },
            });
        }

        return new IngressRoutes(routes, [.. clusters.Values], policies);
    }

    private static string RouteId(IngressRule rule) => rule.IsFallback
        ? $"fallback/{rule.Host.Host}"
        : $"{rule.Namespace}/{rule.Ingress.Metadata.Name}/{rule.Host.Host}/{rule.Path.Kind}/{rule.Path.Path}";

    private static string AddCluster(IngressRule rule, BuildContext context, Dictionary<string, ClusterConfig> clusters)
    {
        var backend = rule.Backend!;
        var port = backend.Port is { Number: > 0 } n ? n.Number.ToString(CultureInfo.InvariantCulture) : backend.Port?.Name ?? "";
        var policy = rule.Annotations.LoadBalancingPolicy;
        var clusterId = $"{rule.Namespace}/{backend.Name}:{port}/{policy}";
        context.Referenced.Add(rule.Namespace + "/" + backend.Name);
        if (!clusters.ContainsKey(clusterId))
        {
            clusters[clusterId] = new ClusterConfig
            {
                ClusterId = clusterId,
                LoadBalancingPolicy = policy,
                HttpRequest = Forwarding,
                Destinations = BackendResolver.Resolve(context.State, rule.Namespace, backend)
                    .ToDictionary(url => url, url => new DestinationConfig { Address = url }, StringComparer.Ordinal),
            };
        }

        return clusterId;
    }

    private static IngressRoutePolicy CreatePolicy(IngressRule rule, BuildContext context, IReadOnlySet<string> tlsHosts, BasicAuthSet auth)
    {
        var annotations = rule.Annotations;
        var authKey = "";
        var authenticator = rule.Backend is null ? null : auth.For(rule, context, out authKey);
        var rewrite = annotations.RewriteTarget is { } target && !rule.IsFallback ? new PathRewrite(target, rule.Path) : null;
        var sslRedirect = annotations.ForceSslRedirect
            || ((annotations.SslRedirect ?? context.Global.SslRedirect) && tlsHosts.Contains(rule.Host.Host));
        var fingerprint = string.Join(
            '\u001f',
            RouteId(rule),
            rule.Namespace,
            rule.Ingress.Metadata.Name,
            rule.Backend is null,
            rule.PathLabel,
            rewrite?.Target,
            authKey,
            sslRedirect);
        return new IngressRoutePolicy
        {
            Fingerprint = fingerprint,
            IngressNamespace = rule.Namespace,
            IngressName = rule.Ingress.Metadata.Name,
            Host = rule.Host,
            Path = rule.Path,
            PathLabel = rule.PathLabel,
            NotFound = rule.Backend is null,
            Rewrite = rewrite,
            Auth = authenticator,
            SslRedirect = sslRedirect,
        };
    }
}
