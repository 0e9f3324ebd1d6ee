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

    /// <summary>
    /// Calls <paramref name="changed"/> (kind, namespace or null for a ClusterIssuer, name) whenever an Issuer or a
    /// ClusterIssuer is added or changes, so that work waiting for it is woken when it becomes ready rather than found
    /// by its back-off.
    /// </summary>
    public static void OnIssuerChanged(SharedInformerFactory informers, Action<string, string?, string> changed)
    {
        informers.GetInformer<Issuer>().AddEventHandler(
            onAdd: i => changed(GenericIssuer.IssuerKind, i.Metadata.Namespace, i.Metadata.Name),
            onUpdate: (_, i) => changed(GenericIssuer.IssuerKind, i.Metadata.Namespace, i.Metadata.Name));
        informers.GetInformer<ClusterIssuer>().AddEventHandler(
            onAdd: i => changed("ClusterIssuer", null, i.Metadata.Name),
            onUpdate: (_, i) => changed("ClusterIssuer", null, i.Metadata.Name));
    }

    /// <summary>Whether <paramref name="reference"/> names that issuer (an empty kind is an Issuer).</summary>
    public static bool Names(IssuerReference? reference, string kind, string name) =>
        reference?.Name == name && KindOf(reference) == kind;

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
