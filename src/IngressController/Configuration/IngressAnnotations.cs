using KubeMesh.Api.Networking.V1;

namespace KubeMesh.IngressController.Configuration;

/// <summary>The nginx.ingress.kubernetes.io annotations of one ingress that this controller implements.</summary>
internal sealed record IngressAnnotations
{
    public const string Prefix = "nginx.ingress.kubernetes.io/";

    public string? RewriteTarget { get; init; }

    public bool UseRegex { get; init; }

    /// <summary>The YARP policy: the annotation's, else the ConfigMap's, else round robin.</summary>
    public required string LoadBalancingPolicy { get; init; }

    public bool BasicAuth { get; init; }

    public string? AuthSecret { get; init; }

    public string AuthRealm { get; init; } = "";

    /// <summary>Null when not annotated: then on where TLS is configured for the host.</summary>
    public bool? SslRedirect { get; init; }

    public bool ForceSslRedirect { get; init; }

    public static IngressAnnotations Parse(Ingress ingress, GlobalSettings global)
    {
        var annotations = ingress.Metadata?.Annotations;
        string? Get(string name) => annotations?.GetValueOrDefault(Prefix + name) is { Length: > 0 } v ? v : null;
        bool? Flag(string name) => bool.TryParse(Get(name), out var b) ? b : null;

        return new IngressAnnotations
        {
            RewriteTarget = Get("rewrite-target"),
            UseRegex = Flag("use-regex") ?? false,
            LoadBalancingPolicy = LoadBalancing.TryGetPolicy(Get("load-balance"), out var policy) ? policy : global.LoadBalancingPolicy,
            BasicAuth = string.Equals(Get("auth-type"), "basic", StringComparison.OrdinalIgnoreCase),
            AuthSecret = Get("auth-secret"),
            AuthRealm = Get("auth-realm") ?? "",
            SslRedirect = Flag("ssl-redirect"),
            ForceSslRedirect = Flag("force-ssl-redirect") ?? false,
        };
    }
}
