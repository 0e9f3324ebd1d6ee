using KubeMesh.Api.CertManager.Meta.V1;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Client;

namespace KubeMesh.CertificateController.Controllers.Issuers;

/// <summary>Finds the issuer an issuerRef names, from the informer caches (cert-manager's issuer helper GetGenericIssuer).</summary>
internal sealed class IssuerResolver(ControllerContext context)
{
    private readonly Lister<Issuer> _issuers = context.Informers.GetLister<Issuer>();
    private readonly Lister<ClusterIssuer> _clusterIssuers = context.Informers.GetLister<ClusterIssuer>();

    /// <summary>Whether the reference is to one of cert-manager's own kinds (external issuers are not served here).</summary>
    public static bool IsCertManagerIssuer(IssuerReference? reference) =>
        reference is not null && reference.Group is "" or "cert-manager.io" && reference.Kind is "" or GenericIssuer.IssuerKind or GenericIssuer.ClusterIssuerKind;

    public static string KindOf(IssuerReference reference) => reference.Kind.Length == 0 ? GenericIssuer.IssuerKind : reference.Kind;

    /// <summary>The issuer, or null with cert-manager's message when it does not exist.</summary>
    public GenericIssuer? Find(IssuerReference reference, string @namespace, out string notFound)
    {
        notFound = "";
        if (KindOf(reference) == GenericIssuer.ClusterIssuerKind)
        {
            if (_clusterIssuers.Get("", reference.Name) is { } clusterIssuer)
            {
                return GenericIssuer.From(clusterIssuer, context.Options.ClusterResourceNamespace);
            }

            notFound = $"clusterissuer.cert-manager.io \"{reference.Name}\" not found";
            return null;
        }

        if (_issuers.Get(@namespace, reference.Name) is { } issuer)
        {
            return GenericIssuer.From(issuer);
        }

        notFound = $"issuer.cert-manager.io \"{reference.Name}\" not found";
        return null;
    }
}
