using KubeMesh.IngressController.Auth;
using KubeMesh.IngressController.Routing;
using KubeMesh.IngressController.Tls;
using Yarp.ReverseProxy.Configuration;

namespace KubeMesh.IngressController.Configuration;

/// <summary>
/// One build of the merged ingresses: YARP's routes and clusters plus what they refer to, and the parsed TLS
/// secrets and basic-auth checks by key, which the next build reuses where their secret is unchanged.
/// </summary>
internal sealed record IngressConfiguration(
    IReadOnlyList<RouteConfig> Routes,
    IReadOnlyList<ClusterConfig> Clusters,
    IReadOnlyDictionary<string, IngressRoutePolicy> Policies,
    CertificateSet Certificates,
    IReadOnlySet<string> ReferencedObjects,
    IReadOnlyList<string> Warnings,
    IReadOnlyDictionary<string, TlsSecretCertificate> TlsSecrets,
    IReadOnlyDictionary<string, BasicAuthenticator> Authenticators)
{
    public static IngressConfiguration Empty { get; } = new(
        [], [], new Dictionary<string, IngressRoutePolicy>(), CertificateSet.Empty, new HashSet<string>(), [],
        new Dictionary<string, TlsSecretCertificate>(), new Dictionary<string, BasicAuthenticator>());
}
