using KubeMesh.Api.Acme.V1;

namespace KubeMesh.ApiServer.Validation;

/// <summary>acme.cert-manager.io/v1 Order and Challenge: the fields the ACME controllers cannot work without.</summary>
internal static class AcmeValidator
{
    public static void Validate(Order order, ErrorList errors)
    {
        if (order.Spec is not { } spec)
        {
            errors.Required("spec");
            return;
        }

        if (spec.Request.IsEmpty)
        {
            errors.Required("spec.request");
        }

        CertManagerFields.IssuerRef("spec.issuerRef", spec.IssuerRef, errors);
        CertManagerFields.Duration("spec.duration", spec.Duration, errors);
    }

    public static void Validate(Challenge challenge, ErrorList errors)
    {
        if (challenge.Spec is not { } spec)
        {
            errors.Required("spec");
            return;
        }

        foreach (var (path, value) in new[] { ("spec.url", spec.Url), ("spec.authorizationURL", spec.AuthorizationUrl), ("spec.dnsName", spec.DnsName), ("spec.token", spec.Token), ("spec.key", spec.Key) })
        {
            if (value.Length == 0)
            {
                errors.Required(path);
            }
        }

        errors.OneOf("spec.type", spec.Type, true, "HTTP-01", "DNS-01");
        CertManagerFields.IssuerRef("spec.issuerRef", spec.IssuerRef, errors);
    }
}
