using KubeMesh.IngressController.Routing;
using KubeMesh.IngressController.Tls;
using Yarp.ReverseProxy.Configuration;

namespace KubeMesh.IngressController.Configuration;

/// <summary>One build of the merged ingresses: YARP's routes and clusters plus what they refer to.</summary>
internal sealed record IngressConfiguration(
    IReadOnlyList<RouteConfig> Routes,
    IReadOnlyList<ClusterConfig> Clusters,
    IReadOnlyDictionary<string, IngressRoutePolicy> Policies,
    CertificateSet Certificates,
    IReadOnlySet<string> ReferencedObjects,
    IReadOnlyList<string> Warnings)
{
    public static IngressConfiguration Empty { get; } = new(
        [], [], new Dictionary<string, IngressRoutePolicy>(), CertificateSet.Empty, new HashSet<string>(), []);
}
