using KubeMesh.IngressController.Auth;

namespace KubeMesh.IngressController.Routing;

/// <summary>
/// Everything the request path needs to know about one ingress rule, attached to its YARP route's endpoint as
/// metadata, so a request finds it without a lookup or a lock.
/// </summary>
internal sealed class IngressRoutePolicy
{
    public static IngressRoutePolicy Disabled { get; } = new()
    {
        Fingerprint = "",
        IngressNamespace = "",
        IngressName = "",
        Host = new HostMatch(""),
        Path = PathMatch.Never,
        PathLabel = "",
        NotFound = true,
    };

    /// <summary>The controller's own 404 for requests no rule matches.</summary>
    public static IngressRoutePolicy Unmatched { get; } = new()
    {
        Fingerprint = "",
        IngressNamespace = "",
        IngressName = "",
        Host = new HostMatch(""),
        Path = PathMatch.Any,
        PathLabel = "",
        NotFound = true,
    };

    /// <summary>Identifies the policy's content; routes whose fingerprint is unchanged keep their endpoint.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>The ingress the rule came from; empty for the controller's own fallbacks.</summary>
    public required string IngressNamespace { get; init; }

    public required string IngressName { get; init; }

    public required HostMatch Host { get; init; }

    public required PathMatch Path { get; init; }

    /// <summary>The rule's path as written, for metrics.</summary>
    public required string PathLabel { get; init; }

    /// <summary>True for a host's or the controller's fallback that answers 404 instead of proxying.</summary>
    public bool NotFound { get; init; }

    public PathRewrite? Rewrite { get; init; }

    public BasicAuthenticator? Auth { get; init; }

    /// <summary>The rule's request metrics, found on its first measured request and kept for the next ones.</summary>
    public Metrics.RequestSeries? MetricSeries { get; set; }

    /// <summary>Redirect plain HTTP to HTTPS (ssl-redirect, default on where TLS is configured for the host).</summary>
    public bool SslRedirect { get; init; }
}
