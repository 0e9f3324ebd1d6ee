using System.Net;
using System.Security.Cryptography.X509Certificates;
using KubeMesh.Api.Networking.V1;
using KubeMesh.IngressController.Auth;
using KubeMesh.IngressController.Routing;
using KubeMesh.IngressController.Tls;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace KubeMesh.IngressController.Configuration;

/// <summary>
/// Merges every ingress of the class into one YARP configuration, as ingress-nginx merges them into one
/// nginx.conf: a route per host and path, ordered so the most specific host and then the longest path wins,
/// and a cluster per service port and load-balancing policy whose destinations are the ready pod endpoints.
/// Not thread-safe: one synchronizer calls it.
/// </summary>
internal sealed class ProxyConfigBuilder(IOptions<IngressControllerOptions> options)
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

    private readonly TlsSecretLoader _tls = new();
    private Dictionary<string, BasicAuthenticator> _authenticators = new(StringComparer.Ordinal);

    public IngressConfiguration Build(IngressState state)
    {
        var className = options.Value.ClassName;
        var global = GlobalSettings.From(state.ConfigMap);
        var ingresses = state.Ingresses
            .Where(i => i.Metadata is not null && IngressClass.IsHandled(i, className))
            .OrderBy(i => i.Metadata.CreationTimestamp?.ToDateTimeOffset() ?? DateTimeOffset.MinValue)
            .ThenBy(i => i.Metadata.Namespace, StringComparer.Ordinal)
            .ThenBy(i => i.Metadata.Name, StringComparer.Ordinal)
            .ToList();
        var context = new BuildContext(state, global);

        var (certificates, tlsHosts) = BuildCertificates(ingresses, context);
        var rules = CollectRules(ingresses, context);
        rules.Sort(IngressRule.Compare);

        var routes = new List<RouteConfig>(rules.Count);
        var clusters = new Dictionary<string, ClusterConfig>(StringComparer.Ordinal)
        {
            [NotFoundClusterId] = new ClusterConfig { ClusterId = NotFoundClusterId },
        };
        var policies = new Dictionary<string, IngressRoutePolicy>(StringComparer.Ordinal);
        var authenticators = new Dictionary<string, BasicAuthenticator>(StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var clusterId = rule.Backend is null ? NotFoundClusterId : AddCluster(rule, context, clusters);
            var policy = CreatePolicy(rule, context, tlsHosts, authenticators);
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

        _tls.Sweep();
        _authenticators = authenticators;
        return new IngressConfiguration(routes, [.. clusters.Values], policies, certificates, context.Referenced, context.Warnings);
    }

    private static string RouteId(IngressRule rule) => rule.IsFallback
        ? $"fallback/{rule.Host.Host}"
        : $"{rule.Namespace}/{rule.Ingress.Metadata.Name}/{rule.Host.Host}/{rule.Path.Kind}/{rule.Path.Path}";

    private static List<IngressRule> CollectRules(List<Ingress> ingresses, BuildContext context)
    {
        var rules = new List<IngressRule>();
        var seen = new HashSet<(string, PathMatchKind, string)>();
        var fallbacks = new Dictionary<string, IngressRule>(StringComparer.OrdinalIgnoreCase);
        for (var index = 0; index < ingresses.Count; index++)
        {
            var ingress = ingresses[index];
            var annotations = IngressAnnotations.Parse(ingress, context.Global);
            var defaultBackend = ingress.Spec?.DefaultBackend?.Service;
            foreach (var rule in ingress.Spec?.Rules ?? [])
            {
                var host = new HostMatch(rule.Host.ToLowerInvariant());
                foreach (var path in rule.Http?.Paths ?? [])
                {
                    if (path.Backend?.Service is not { } backend)
                    {
                        context.Warn(ingress, $"path {path.Path}: only service backends are supported");
                        continue;
                    }

                    if (!TryMatch(path, annotations, out var match, out var error))
                    {
                        context.Warn(ingress, $"path {path.Path}: {error}");
                        continue;
                    }

                    // Two ingresses claiming the same host and path: the older one keeps it, as in ingress-nginx.
                    if (seen.Add((host.Host, match.Kind, match.Path)))
                    {
                        rules.Add(new IngressRule(ingress, index, annotations, host, match, path.Path is { Length: > 0 } p ? p : "/", backend, false));
                    }
                }

                if (!host.IsAny && (!fallbacks.TryGetValue(host.Host, out var existing) || (existing.Backend is null && defaultBackend is not null)))
                {
                    fallbacks[host.Host] = new IngressRule(ingress, index, annotations, host, PathMatch.Any, "/", defaultBackend, true);
                }
            }

            // As ingress-nginx: only an ingress without rules takes over the catch-all server with its default backend.
            if (defaultBackend is not null && ingress.Spec!.Rules.Count == 0 && !fallbacks.ContainsKey(""))
            {
                fallbacks[""] = new IngressRule(ingress, index, annotations, new HostMatch(""), PathMatch.Any, "/", defaultBackend, true);
            }
        }

        rules.AddRange(fallbacks.Values);
        return rules;
    }

    private static bool TryMatch(HTTPIngressPath path, IngressAnnotations annotations, out PathMatch match, out string? error)
    {
        error = null;
        var value = path.Path is { Length: > 0 } p ? p : "/";
        match = PathMatch.Any;
        if (path.PathType == "Exact")
        {
            match = PathMatch.Exact(value);
            return true;
        }

        // As ingress-nginx: rewrite-target makes the paths regular expressions too (case-insensitive, anchored at
        // the start, no path-segment boundary), so with rule /api "/apix" goes to the /api backend as well.
        if (!annotations.UseRegex && annotations.RewriteTarget is null)
        {
            match = PathMatch.Prefix(value);
            return true;
        }

        try
        {
            match = PathMatch.ForRegex(value);
            return true;
        }
        catch (ArgumentException e)
        {
            error = "invalid regular expression: " + e.Message;
            return false;
        }
    }

    private static string AddCluster(IngressRule rule, BuildContext context, Dictionary<string, ClusterConfig> clusters)
    {
        var backend = rule.Backend!;
        var port = backend.Port is { Number: > 0 } n ? n.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) : backend.Port?.Name ?? "";
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

    private IngressRoutePolicy CreatePolicy(
        IngressRule rule, BuildContext context, HashSet<string> tlsHosts, Dictionary<string, BasicAuthenticator> authenticators)
    {
        var annotations = rule.Annotations;
        var authKey = "";
        var auth = rule.Backend is null ? null : Authenticator(rule, context, authenticators, out authKey);
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
            Auth = auth,
            SslRedirect = sslRedirect,
        };
    }

    /// <summary>The ingress's basic-auth check; a missing or unreadable secret denies everyone (fails closed).</summary>
    private BasicAuthenticator? Authenticator(
        IngressRule rule, BuildContext context, Dictionary<string, BasicAuthenticator> authenticators, out string key)
    {
        key = "";
        var annotations = rule.Annotations;
        if (!annotations.BasicAuth)
        {
            return null;
        }

        var reference = annotations.AuthSecret ?? "";
        var slash = reference.IndexOf('/');
        var (ns, name) = slash > 0 ? (reference[..slash], reference[(slash + 1)..]) : (rule.Namespace, reference);
        context.Referenced.Add(ns + "/" + name);
        var secret = name.Length == 0 ? null : context.State.GetSecret(ns, name);
        var content = secret?.Data.TryGetValue("auth", out var auth) == true ? auth.ToStringUtf8() : null;
        if (content is null)
        {
            context.Warn(rule.Ingress, $"auth-secret {ns}/{name}: missing or without key \"auth\"; denying all requests");
        }

        key = $"{ns}/{name}@{secret?.Metadata.Uid}:{secret?.Metadata.ResourceVersion}#{annotations.AuthRealm}";
        if (!authenticators.TryGetValue(key, out var authenticator))
        {
            authenticator = _authenticators.GetValueOrDefault(key)
                ?? new BasicAuthenticator(HtpasswdFile.Parse(content ?? ""), annotations.AuthRealm);
            authenticators[key] = authenticator;
        }

        return authenticator;
    }

    private (CertificateSet Certificates, HashSet<string> TlsHosts) BuildCertificates(List<Ingress> ingresses, BuildContext context)
    {
        var byHost = new Dictionary<string, X509Certificate2>(StringComparer.OrdinalIgnoreCase);
        var tlsHosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var ingress in ingresses)
        {
            foreach (var tls in ingress.Spec?.Tls ?? [])
            {
                tlsHosts.UnionWith(tls.Hosts.Select(h => h.ToLowerInvariant()));
                if (tls.SecretName.Length == 0)
                {
                    continue;
                }

                var ns = ingress.Metadata.Namespace;
                context.Referenced.Add(ns + "/" + tls.SecretName);
                var secret = context.State.GetSecret(ns, tls.SecretName);
                string? error = "not found";
                var certificate = secret is null ? null : _tls.Load(secret, out error);
                if (certificate is null)
                {
                    context.Warn(ingress, $"tls secret {ns}/{tls.SecretName}: {error}; serving the default certificate");
                    continue;
                }

                foreach (var host in tls.Hosts)
                {
                    byHost.TryAdd(host, certificate);
                }
            }
        }

        return (new CertificateSet(byHost), tlsHosts);
    }

    private sealed class BuildContext(IngressState state, GlobalSettings global)
    {
        public IngressState State { get; } = state;

        public GlobalSettings Global { get; } = global;

        /// <summary>"namespace/name" of the services, endpoints and secrets the configuration depends on.</summary>
        public HashSet<string> Referenced { get; } = new(StringComparer.Ordinal);

        public List<string> Warnings { get; } = [];

        public void Warn(Ingress ingress, string message) =>
            Warnings.Add($"{ingress.Metadata.Namespace}/{ingress.Metadata.Name}: {message}");
    }
}
