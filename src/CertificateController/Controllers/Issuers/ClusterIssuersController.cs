using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client;

namespace KubeMesh.CertificateController.Controllers.Issuers;

/// <summary>cert-manager's clusterissuers controller: ClusterIssuers, whose Secrets live in the cluster resource namespace.</summary>
internal sealed class ClusterIssuersController(ControllerContext context, IssuerSetup setup)
    : IssuerControllerBase<ClusterIssuer>(context, setup, "clusterissuers")
{
    private readonly Lister<ClusterIssuer> _issuers = context.Informers.GetLister<ClusterIssuer>();

    protected override GenericIssuer Wrap(ClusterIssuer issuer) => GenericIssuer.From(issuer, Context.Options.ClusterResourceNamespace);

    protected override IEnumerable<ClusterIssuer> UsersOf(Secret secret) =>
        secret.Metadata.Namespace == Context.Options.ClusterResourceNamespace
            ? _issuers.List().Where(i => Uses(i.Spec, secret.Metadata.Name))
            : [];
}
