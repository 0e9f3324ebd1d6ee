using KubeMesh.Api.CertManager.Meta.V1;
using KubeMesh.Api.Core.V1;
using KubeMesh.CertificateController.Acme;
using KubeMesh.CertificateController.Controllers.Issuers;
using KubeMesh.Client;

namespace KubeMesh.CertificateController.Controllers;

/// <summary>The ACME client of the issuer an Order or Challenge names, with the account key from the issuer's Secret.</summary>
internal sealed class AcmeAccounts(ControllerContext context, AcmeClientRegistry registry, IssuerResolver issuers)
{
    private readonly Lister<Secret> _secrets = context.Informers.GetLister<Secret>();

    /// <summary>The client, or null with the reason it cannot be had yet (the issuer is missing, not ACME or not ready).</summary>
    public AcmeClient? ClientFor(IssuerReference reference, string @namespace, out string problem)
    {
        var issuer = issuers.Find(reference, @namespace, out problem);
        if (issuer is null)
        {
            problem = $"Referenced \"{IssuerResolver.KindOf(reference)}\" not found: {problem}";
            return null;
        }

        if (issuer.Spec.Acme is not { } acme)
        {
            problem = $"{issuer.Describe()} is not an ACME issuer";
            return null;
        }

        if (!issuer.IsReady)
        {
            problem = $"{issuer.Describe()} is not ready";
            return null;
        }

        var keyName = acme.PrivateKeySecretRef.Key.Length > 0 ? acme.PrivateKeySecretRef.Key : IssuerSetup.DefaultAccountKeyName;
        if (_secrets.Get(issuer.ResourceNamespace, acme.PrivateKeySecretRef.Name)?.Data.GetValueOrDefault(keyName) is not { IsEmpty: false } pem)
        {
            problem = $"the ACME account key secret {issuer.ResourceNamespace}/{acme.PrivateKeySecretRef.Name} is missing";
            return null;
        }

        problem = "";
        return registry.For(acme, pem.ToStringUtf8());
    }

    /// <summary>The ACME issuer's spec (for its solvers), or null.</summary>
    public Api.Acme.V1.ACMEIssuer? IssuerSpec(IssuerReference reference, string @namespace) =>
        issuers.Find(reference, @namespace, out _)?.Spec.Acme;
}
