using KubeMesh.Api.Acme.V1;
using KubeMesh.Api.CertManager.V1;
using KubeMesh.Api.Serialization;

namespace KubeMesh.ApiServer.Validation;

/// <summary>cert-manager.io/v1 Issuer and ClusterIssuer: exactly one issuer type, each configured completely.</summary>
internal static class IssuerValidator
{
    public static void Validate(IssuerSpec? spec, ErrorList errors)
    {
        if (spec is null)
        {
            errors.Required("spec");
            return;
        }

        var configured = 0;
        if (spec.Acme is { } acme)
        {
            configured++;
            Acme("spec.acme", acme, errors);
        }

        if (spec.Ca is { } ca)
        {
            if (++configured > 1)
            {
                errors.Add(FieldError.Forbidden("spec.ca", "may not specify more than one issuer type"));
            }

            CertificateAuthority("spec.ca", ca, errors);
        }

        if (spec.SelfSigned is not null && ++configured > 1)
        {
            errors.Add(FieldError.Forbidden("spec.selfSigned", "may not specify more than one issuer type"));
        }

        if (configured == 0)
        {
            errors.Required("spec", "at least one issuer must be configured");
        }
    }

    private static void Acme(string path, ACMEIssuer acme, ErrorList errors)
    {
        if (acme.Server.Length == 0)
        {
            errors.Required($"{path}.server", "acme server URL is a required field");
        }
        else
        {
            CertManagerFields.Url($"{path}.server", acme.Server, "must be an absolute http or https URL", errors);
        }

        if (acme.PrivateKeySecretRef is not { Name.Length: > 0 })
        {
            errors.Required($"{path}.privateKeySecretRef.name", "private key secret name is a required field");
        }
        else
        {
            errors.Invalid($"{path}.privateKeySecretRef.name", acme.PrivateKeySecretRef.Name, NameValidation.IsDns1123Subdomain(acme.PrivateKeySecretRef.Name));
        }

        if (!acme.CaBundle.IsEmpty)
        {
            if (acme.SkipTlsVerify)
            {
                errors.Add(FieldError.Invalid($"{path}.caBundle", "", "caBundle and skipTLSVerify are mutually exclusive and cannot both be set"));
                errors.Add(FieldError.Invalid($"{path}.skipTLSVerify", true, "caBundle and skipTLSVerify are mutually exclusive and cannot both be set"));
            }

            CertManagerFields.CertificateBundle($"{path}.caBundle", acme.CaBundle.Span, errors);
        }

        for (var i = 0; i < acme.Solvers.Count; i++)
        {
            Solver($"{path}.solvers[{i}]", acme.Solvers[i], errors);
        }
    }

    private static void Solver(string path, ACMEChallengeSolver solver, ErrorList errors)
    {
        if (solver.Http01 is null)
        {
            errors.Required(path, "no solver type configured");
            return;
        }

        if (solver.Http01.Ingress is not { } ingress)
        {
            errors.Required($"{path}.http01", "no HTTP01 solver type configured");
            return;
        }

        var ingressPath = $"{path}.http01.ingress";
        if ((ingress.HasIngressClassName ? 1 : 0) + (ingress.HasClass ? 1 : 0) + (ingress.Name.Length > 0 ? 1 : 0) > 1)
        {
            errors.Add(FieldError.Forbidden(ingressPath, "only one of 'ingressClassName', 'name' or 'class' should be specified"));
        }

        if (ingress.HasIngressClassName && NameValidation.IsDns1123Subdomain(ingress.IngressClassName) is { Count: > 0 } reasons)
        {
            errors.Add(FieldError.Invalid($"{ingressPath}.ingressClassName", ingress.IngressClassName, "must be a valid IngressClass name: " + string.Join(", ", reasons)));
        }

        if (ingress.Name.Length > 0)
        {
            errors.Invalid($"{ingressPath}.name", ingress.Name, NameValidation.IsDns1123Subdomain(ingress.Name));
        }

        if (ingress.ServiceType is not ("" or "ClusterIP" or "NodePort"))
        {
            errors.Add(FieldError.Invalid($"{ingressPath}.serviceType", ingress.ServiceType, "must be empty, \"ClusterIP\" or \"NodePort\""));
        }

        if (ingress.PodTemplate?.Metadata is { } podMeta)
        {
            errors.Labels($"{ingressPath}.podTemplate.metadata.labels", podMeta.Labels);
        }

        if (ingress.PodTemplate?.Spec is { } podSpec)
        {
            errors.Labels($"{ingressPath}.podTemplate.spec.nodeSelector", podSpec.NodeSelector);
        }

        if (ingress.IngressTemplate?.Metadata is { } ingressMeta)
        {
            errors.Labels($"{ingressPath}.ingressTemplate.metadata.labels", ingressMeta.Labels);
        }
    }

    private static void CertificateAuthority(string path, CAIssuer ca, ErrorList errors)
    {
        if (ca.SecretName.Length == 0)
        {
            errors.Required($"{path}.secretName");
        }
        else
        {
            errors.Invalid($"{path}.secretName", ca.SecretName, NameValidation.IsDns1123Subdomain(ca.SecretName));
        }

        for (var i = 0; i < ca.OcspServers.Count; i++)
        {
            CertManagerFields.Url($"{path}.ocspServers[{i}]", ca.OcspServers[i], "must be a valid URL, e.g., http://ocsp.int-x3.letsencrypt.org", errors);
        }

        for (var i = 0; i < ca.IssuingCertificateUrls.Count; i++)
        {
            CertManagerFields.Url($"{path}.issuingCertificateURLs[{i}]", ca.IssuingCertificateUrls[i], "must be a valid URL", errors);
        }

        for (var i = 0; i < ca.CrlDistributionPoints.Count; i++)
        {
            CertManagerFields.Url($"{path}.crlDistributionPoints[{i}]", ca.CrlDistributionPoints[i], "must be a valid URL", errors);
        }
    }
}
