using Google.Protobuf;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Meta.V1;
using KubeMesh.Api.Resources;

namespace KubeMesh.CertificateController.Controllers.Issuers;

/// <summary>
/// An Issuer or a ClusterIssuer seen the same way (cert-manager's GenericIssuer): its spec, status, and the namespace
/// its Secrets live in (its own, or the cluster resource namespace for a ClusterIssuer).
/// </summary>
internal sealed record GenericIssuer(ResourceKind Kind, IMessage Object, string ResourceNamespace)
{
    public const string IssuerKind = "Issuer";
    public const string ClusterIssuerKind = "ClusterIssuer";

    public ObjectMeta Metadata => Kind.Metadata(Object);

    public IssuerSpec Spec => (IssuerSpec?)Kind.Spec(Object) ?? new IssuerSpec();

    public IssuerStatus? Status => (IssuerStatus?)Kind.Status(Object);

    /// <summary>Ready=True for the issuer's current generation.</summary>
    public bool IsReady =>
        Status?.Conditions.FirstOrDefault(c => c.Type == "Ready") is { Status: Conditions.True } ready
        && ready.ObservedGeneration >= Metadata.Generation;

    /// <summary>"Issuer" or "ClusterIssuer" with the name, as cert-manager's messages quote it.</summary>
    public string Describe() => $"{Kind.Kind} \"{Metadata.Name}\"";

    public static GenericIssuer From(Issuer issuer) => new(ResourceKinds.Issuer, issuer, issuer.Metadata.Namespace);

    public static GenericIssuer From(ClusterIssuer issuer, string clusterResourceNamespace) =>
        new(ResourceKinds.ClusterIssuer, issuer, clusterResourceNamespace);
}
