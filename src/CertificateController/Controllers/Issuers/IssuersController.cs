using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.Client;

namespace KubeMesh.CertificateController.Controllers.Issuers;

/// <summary>cert-manager's issuers controller: namespaced Issuers, whose Secrets live beside them.</summary>
internal sealed class IssuersController(ControllerContext context, IssuerSetup setup)
    : IssuerControllerBase<Issuer>(context, setup, "issuers")
{
    private readonly Lister<Issuer> _issuers = context.Informers.GetLister<Issuer>();

    protected override GenericIssuer Wrap(Issuer issuer) => GenericIssuer.From(issuer);

    protected override IEnumerable<Issuer> UsersOf(Secret secret) =>
        _issuers.List(secret.Metadata.Namespace).Where(i => Uses(i.Spec, secret.Metadata.Name));
}
